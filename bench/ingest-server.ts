// One ingest variant as its own server process (started by bench/ingest.ts):
//   bare-202      node:http, reads the body, answers 202
//   bare-queue    + one BullMQ add per request (job data = an id, as Portico's)
//   ledger-first  + INSERT the payload into a Postgres table first, then the add
//   portico       Portico's real ingest front (createFrontServer), Next replaced by a 404
// Every variant counts the statuses it decided, so the parent can reconcile them with the
// ledger and with what autocannon saw.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { createFrontServer } from "@/engine/ingest/http-front";
import { ingestBatchStats, type IngestDeps } from "@/engine/ingest/ingest-webhook";
import { createDb } from "@/lib/db";
import { createLogger } from "@/lib/logger";
import { createExecutionsQueue, QUEUES } from "@/lib/queues";
import { createRedis } from "@/lib/redis";
import { childLog, serveParent } from "./lib/children";
import { takeCpuMs, takeSqlCounts } from "./lib/sql-counter";

const [variant, portArg] = process.argv.slice(2);
const port = Number(portArg);
const DATABASE_URL = process.env.DATABASE_URL!;
const REDIS_URL = process.env.REDIS_URL!;

const statuses: Record<number, number> = {};
/** Requests whose status is not decided yet: the parent waits for 0 before it counts. */
let inflight = 0;
const closers: (() => Promise<unknown> | void)[] = [];
/** Portico's ingest deps, for its batch counters (rows per INSERT). */
let porticoDeps: IngestDeps | undefined;
let batchesBefore = { batches: 0, rows: 0 };

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function answer(res: ServerResponse, status: number, body: object) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** A baseline server: `work` runs per request before the 202; a throw answers 503. */
function bareServer(work: (body: Buffer, req: IncomingMessage) => Promise<string>): Server {
  return createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const executionId = await work(body, req);
      answer(res, 202, { executionId });
    } catch (err) {
      answer(res, 503, { error: { code: "UNAVAILABLE", message: String(err) } });
    }
  });
}

/** The same BullMQ queue shape as Portico's executions queue (same job options, id-only data). */
function bareQueue(prefix: string) {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const queue = new Queue(QUEUES.executions.name, { connection, prefix, defaultJobOptions: QUEUES.executions.defaultJobOptions });
  closers.push(() => queue.close(), () => connection.disconnect());
  return queue;
}

async function build(): Promise<Server> {
  switch (variant) {
    case "bare-202":
      return bareServer(async () => randomUUID());
    case "bare-queue": {
      const queue = bareQueue("bench-queue");
      return bareServer(async () => {
        const id = randomUUID();
        await queue.add(QUEUES.executions.jobs.run.name, { executionId: id }, { jobId: id });
        return id;
      });
    }
    case "ledger-first": {
      const queue = bareQueue("bench-ledger");
      // Same pool size as Portico's Prisma client (src/lib/db.ts: max 10).
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
      pool.on("error", () => {}); // an idle client dropped (Postgres stopping): the next query reconnects
      closers.push(() => pool.end());
      return bareServer(async (body, req) => {
        const id = randomUUID();
        await pool.query("INSERT INTO bench_ledger (id, content_type, payload) VALUES ($1, $2, $3)", [id, req.headers["content-type"] ?? null, body]);
        await queue.add(QUEUES.executions.jobs.run.name, { executionId: id }, { jobId: id });
        return id;
      });
    }
    case "portico": {
      // Wired as workers/web.ts wires it: the process-wide Prisma client (pool of 10), a
      // producer-role Redis, the env's log level.
      const db = createDb(DATABASE_URL);
      const producer = createRedis(REDIS_URL, "producer");
      const queue = createExecutionsQueue(producer, process.env.REDIS_PREFIX);
      closers.push(() => queue.close(), () => producer.disconnect(), () => db.$disconnect());
      const logger = createLogger("bench-web", process.env.LOG_LEVEL ?? "info");
      porticoDeps = { db, queue, logger, maxBytes: 1024 * 1024 };
      return createFrontServer({
        deps: porticoDeps,
        nextHandler: (_req, res) => {
          res.writeHead(404, { "content-type": "text/plain" });
          res.end("not found");
        },
      });
    }
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}

async function start(): Promise<void> {
  const server = await build();
  // Count every status the server decided (writeHead), whether or not the client stayed to read it.
  // A request still being handled when the load stops is counted once it is decided.
  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    inflight++;
    let settled = false;
    const settle = () => {
      if (!settled) {
        settled = true;
        inflight--;
      }
    };
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
      statuses[status] = (statuses[status] ?? 0) + 1;
      settle();
      return (writeHead as (...a: unknown[]) => ServerResponse).call(this, status, ...rest);
    } as typeof res.writeHead;
    // Client gone before its body arrived: no handler will answer it.
    res.once("close", () => {
      if (!req.complete) settle();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  childLog(`${variant} listening on 127.0.0.1:${port} (pid ${process.pid})`);
  closers.unshift(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
}

const started = start();
started.catch(() => {});

serveParent(
  async (msg) => {
    if (msg.type === "ready") {
      await started;
      return { type: "ready" };
    }
    if (msg.type === "idle") {
      const until = Date.now() + (msg.timeoutMs ?? 60_000);
      while (inflight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      return { type: "idle", inflight };
    }
    if (msg.type === "stats") {
      // Every call starts a new measurement window (the parent calls it before and after a round).
      const b = porticoDeps ? ingestBatchStats(porticoDeps) : undefined;
      const batches = b ? { batches: b.batches - batchesBefore.batches, rows: b.rows - batchesBefore.rows } : undefined;
      if (b) batchesBefore = b;
      const snapshot = { type: "stats", statuses: { ...statuses }, sql: takeSqlCounts(), cpuMs: takeCpuMs(), batches };
      for (const k of Object.keys(statuses)) delete statuses[Number(k)];
      return snapshot;
    }
    throw new Error(`unknown message ${JSON.stringify(msg)}`);
  },
  async () => {
    for (const close of closers) await Promise.resolve(close()).catch(() => {});
  },
);
