// Runs one throughput measurement per request from bench/throughput.ts, in its own process:
//   bare     a BullMQ Worker draining N queued no-op jobs
//   portico  Portico's executor (startExecutor, wired as workers/executor.ts wires it) running
//            N queued one-step runs, all records kept
// In both, the N jobs are queued first and a short warm-up batch runs first (not timed). The
// clock starts when the bare Worker is created, or when Portico's warmed-up executor is resumed,
// and stops at the Nth completed job (bare) or the Nth run in a terminal state (Portico).
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { startExecutor } from "@/engine/executor/start-executor";
import { ingestWebhook, type IngestDeps } from "@/engine/ingest/ingest-webhook";
import { createDb, executorPoolSize } from "@/lib/db";
import { createLogger } from "@/lib/logger";
import { createExecutionsQueue, queuePrefix, QUEUES } from "@/lib/queues";
import pg from "pg";
import { createRedis } from "@/lib/redis";
import { childLog, serveParent } from "./lib/children";
import { infraCpuMs, mainThreadCpuMs, threadCpuByName } from "./lib/proc-cpu";
import { takeCpuMs, takeSqlCounts } from "./lib/sql-counter";

/** What the timed part cost: CPU ms of this process, Postgres and Redis, and SQL statements. */
interface Cost {
  cpuMs: { worker: number; workerSystem: number; mainThread: number; postgres: number; redis: number };
  sql: Record<string, number>;
}

async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; cost: Cost }> {
  takeSqlCounts();
  takeCpuMs();
  const before = infraCpuMs();
  const main0 = mainThreadCpuMs();
  const threads0 = threadCpuByName();
  // On-CPU sampling of every thread of this process (V8's --cpu-prof samples wall time per
  // thread, which on a loaded 2-core box mostly measures waiting for a core).
  const perf = process.env.BENCH_PERF_FILE
    ? spawn("perf", ["record", "-F", "999", "-g", "-e", "cpu-clock", "-p", String(process.pid), "-o", process.env.BENCH_PERF_FILE], { stdio: "ignore" })
    : undefined;
  if (perf) await new Promise((r) => setTimeout(r, 500));
  const value = await fn();
  if (perf) {
    perf.kill("SIGINT");
    await new Promise((r) => perf.once("exit", r));
  }
  const mainThread = mainThreadCpuMs() - main0;
  if (process.env.BENCH_THREAD_CPU) {
    const threads1 = threadCpuByName();
    const delta = Object.fromEntries(Object.entries(threads1).map(([k, v]) => [k, v - (threads0[k] ?? 0)]).filter(([, v]) => (v as number) > 0));
    const sorted = Object.entries(delta).sort((a, b) => (b[1] as number) - (a[1] as number));
    childLog(`thread CPU ms (${sorted.length} threads used CPU): ${sorted.map(([k, v]) => `${k}=${v}`).join(" ")}`);
  }
  const cpu = takeCpuMs();
  const after = infraCpuMs();
  return {
    value,
    cost: {
      cpuMs: { worker: cpu.user + cpu.system, workerSystem: cpu.system, mainThread, postgres: after.postgresMs - before.postgresMs, redis: after.redisMs - before.redisMs },
      sql: takeSqlCounts(),
    },
  };
}

const REDIS_URL = process.env.REDIS_URL!;
const DATABASE_URL = process.env.DATABASE_URL!;
const closers: (() => Promise<unknown> | void)[] = [];

function untilCompleted(worker: Worker, n: number): Promise<void> {
  return new Promise((resolve) => {
    let done = 0;
    worker.on("completed", () => {
      if (++done === n) resolve();
    });
  });
}

// ---- bare BullMQ ----
const BARE_PREFIX = "bench-tp-bare";
let bareQueue: Queue | undefined;

async function bareDrain(n: number, concurrency: number): Promise<{ ms: number; cost: Cost }> {
  if (!bareQueue) {
    const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    bareQueue = new Queue("noop", { connection: conn, prefix: BARE_PREFIX, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
    closers.push(() => bareQueue!.close(), () => conn.disconnect());
  }
  for (let i = 0; i < n; i += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, n - i) }, () => {
      const id = randomUUID();
      return { name: "noop", data: { executionId: id }, opts: { jobId: id } };
    });
    await bareQueue.addBulk(batch);
  }
  const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const { value: ms, cost } = await measured(async () => {
    const t0 = performance.now();
    const worker = new Worker("noop", async () => {}, { connection: conn, prefix: BARE_PREFIX, concurrency });
    await untilCompleted(worker, n);
    const ms = performance.now() - t0;
    await worker.close();
    return ms;
  });
  conn.disconnect();
  return { ms, cost };
}



/** Calls made in the same event-loop turn go out as one batch; the next batch waits for the previous one. */
function groupCommit<I, O>(run: (items: I[]) => Promise<(O | undefined)[]>): (item: I) => Promise<O | undefined> {
  let queue: { item: I; resolve(v: O | undefined): void; reject(e: unknown): void }[] = [];
  let busy = false;
  const flush = async () => {
    if (busy || !queue.length) return;
    busy = true;
    const batch = queue;
    queue = [];
    try {
      const out = await run(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(out[i]));
    } catch (err) {
      for (const b of batch) b.reject(err);
    } finally {
      busy = false;
      if (queue.length) setImmediate(flush);
    }
  };
  return (item) =>
    new Promise((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (queue.length === 1) setImmediate(flush);
    });
}

// ---- bare ledger worker ----
// What any worker that keeps Portico's records must at least do per run, hand-written with no
// framework: claim the row (UPDATE … RETURNING), store one step (INSERT StepRun), store the final
// status (UPDATE) — three autocommitted statements on a plain pg pool sized like Portico's, from
// a bare BullMQ Worker on the same queue and the same rows Portico runs. No sandbox, no logs, no
// batching: the floor that the records alone put under the executor.
async function ledgerMeasure(o: { token: string; instanceId: string; n: number; concurrency: number; warmup: number; deadlineMs: number; batched?: boolean }) {
  const { db } = porticoDeps(o.concurrency);
  await porticoReset(o.instanceId);
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: executorPoolSize(o.concurrency) });
  const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  // batched: the same three writes, each group-committed across the runs in flight (one
  // statement per write kind per event-loop turn) — what the records cost at best.
  const claimB = groupCommit<string, { organizationId: string; attempt: number }>(async (ids) => {
    const r = await pool.query<{ id: string; organizationId: string; attempt: number }>(
      `UPDATE "Execution" e SET status = 'RUNNING', "startedAt" = now(), attempt = e.attempt + 1
       FROM unnest($1::text[]) AS u(id) WHERE e.id = u.id AND e.status IN ('QUEUED', 'RETRYING') RETURNING e.id, e."organizationId", e.attempt, e.payload`,
      [ids],
    );
    const by = new Map(r.rows.map((x) => [x.id, x]));
    return ids.map((id) => by.get(id));
  });
  const stepB = groupCommit<{ id: string; org: string; attempt: number; started: string }, true>(async (rows) => {
    await pool.query(
      `INSERT INTO "StepRun" (id, "organizationId", "executionId", seq, name, status, output, attempt, "startedAt", "finishedAt")
       SELECT gen_random_uuid()::text, u.org, u.ex, 1, 'echo', 'SUCCEEDED', '{"n":1}'::jsonb, u.attempt, u.st, now()
       FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamp(3)[]) AS u(ex, org, attempt, st)`,
      [rows.map((x) => x.id), rows.map((x) => x.org), rows.map((x) => x.attempt), rows.map((x) => x.started)],
    );
    return rows.map(() => true as const);
  });
  const finalB = groupCommit<{ id: string; attempt: number }, true>(async (rows) => {
    await pool.query(
      `UPDATE "Execution" e SET status = 'SUCCEEDED', "finishedAt" = now(), result = '{"ok":true}'::jsonb
       FROM unnest($1::text[], $2::int[]) AS u(id, attempt) WHERE e.id = u.id AND e.status = 'RUNNING' AND e.attempt = u.attempt`,
      [rows.map((x) => x.id), rows.map((x) => x.attempt)],
    );
    return rows.map(() => true as const);
  });
  const batchedProcessor = async (job: { data: { executionId: string } }) => {
    const id = job.data.executionId;
    const row = await claimB(id);
    if (!row) return;
    await stepB({ id, org: row.organizationId, attempt: row.attempt, started: new Date().toISOString() });
    await finalB({ id, attempt: row.attempt });
  };
  const processor = async (job: { data: { executionId: string } }) => {
    const id = job.data.executionId;
    const claimed = await pool.query<{ organizationId: string; attempt: number; payload: Buffer | null }>(
      `UPDATE "Execution" SET status = 'RUNNING', "startedAt" = now(), attempt = attempt + 1
       WHERE id = $1 AND status IN ('QUEUED', 'RETRYING') RETURNING "organizationId", attempt, payload`,
      [id],
    );
    const row = claimed.rows[0];
    if (!row) return;
    const started = new Date();
    await pool.query(
      `INSERT INTO "StepRun" (id, "organizationId", "executionId", seq, name, status, output, attempt, "startedAt", "finishedAt")
       VALUES ($1, $2, $3, 1, 'echo', 'SUCCEEDED', $4::jsonb, $5, $6, now())`,
      [randomUUID(), row.organizationId, id, JSON.stringify({ n: 1 }), row.attempt, started],
    );
    await pool.query(
      `UPDATE "Execution" SET status = 'SUCCEEDED', "finishedAt" = now(), result = $2::jsonb WHERE id = $1 AND status = 'RUNNING' AND attempt = $3`,
      [id, JSON.stringify({ ok: true }), row.attempt],
    );
  };
  const drain = async (n: number) => {
    const worker = new Worker(QUEUES.executions.name, o.batched ? batchedProcessor : processor, { connection: conn, prefix: queuePrefix(PORTICO_PREFIX), concurrency: o.concurrency });
    const t0 = performance.now();
    const finished = await Promise.race([untilCompleted(worker, n).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), o.deadlineMs))]);
    const ms = performance.now() - t0;
    await worker.close(true);
    return { ms, finished };
  };
  try {
    await queueRuns(o.token, o.warmup);
    await drain(o.warmup);
    await db.$executeRawUnsafe(`TRUNCATE "Execution" CASCADE`);
    await queueRuns(o.token, o.n);
    await db.$executeRawUnsafe("CHECKPOINT");
    const { value, cost } = await measured(() => drain(o.n));
    const [succeeded, total, stepRuns] = await Promise.all([
      db.execution.count({ where: { status: "SUCCEEDED" } }),
      db.execution.count(),
      db.stepRun.count({ where: { status: "SUCCEEDED" } }),
    ]);
    return { ms: value.ms, done: value.finished ? o.n : succeeded, timedOut: !value.finished, cost, verify: { succeeded, total, stepRuns, dbSpanMs: 0, ok: value.finished && succeeded === o.n && stepRuns === o.n } };
  } finally {
    await pool.end();
    conn.disconnect();
  }
}

// ---- Portico ----
const PORTICO_PREFIX = "bench-tp-portico";
let portico: { db: ReturnType<typeof createDb>; ingest: IngestDeps } | undefined;

function porticoDeps(concurrency = 1) {
  if (!portico) {
    // One client per process, its pool sized as workers/executor.ts sizes it.
    const db = createDb(DATABASE_URL, { max: executorPoolSize(concurrency) });
    const producer = createRedis(REDIS_URL, "producer");
    const queue = createExecutionsQueue(producer, PORTICO_PREFIX);
    const logger = createLogger("bench-executor", process.env.LOG_LEVEL ?? "info");
    portico = { db, ingest: { db, queue, logger, maxBytes: 1024 * 1024 } };
    closers.push(() => queue.close(), () => producer.disconnect(), () => db.$disconnect());
  }
  return portico;
}

/** Queues n runs through the real ingest service, 16 at a time. */
async function queueRuns(token: string, n: number) {
  const { ingest } = porticoDeps();
  let next = 0;
  const body = Buffer.from(JSON.stringify({ n: 1 }));
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < n) {
        next++;
        const r = await ingestWebhook(ingest, { token, body, contentType: "application/json", headers: {} });
        if (!r.queued) throw new Error(`run ${r.executionId} was recorded but not queued`);
      }
    }),
  );
}

const TERMINAL_OUTCOMES = new Set(["succeeded", "failed", "cancelled"]);

/** Between measurements: no jobs left in the queue, and the instance active again (a breaker may have paused it). */
async function porticoReset(instanceId: string) {
  const { db, ingest } = porticoDeps();
  await ingest.queue.obliterate({ force: true });
  await db.instance.update({ where: { id: instanceId }, data: { status: "ACTIVE", statusReason: null, consecutiveFailures: 0 } });
  await db.$executeRawUnsafe(`TRUNCATE "Execution" CASCADE`);
}

/**
 * One executor, as a long-lived executor process would be: it runs the warm-up batch, pauses
 * while the timed batch is queued (its sandbox threads stay up), then the clock runs from
 * resume() until n runs reached a terminal outcome (a job that leaves its run "retrying" or
 * "held" does not count) or the deadline passed.
 */
async function porticoMeasure(o: { token: string; instanceId: string; n: number; concurrency: number; warmup: number; deadlineMs: number }) {
  const { db, ingest } = porticoDeps(o.concurrency);
  await porticoReset(o.instanceId);
  const redis = createRedis(REDIS_URL, "worker");
  const executor = startExecutor({ db, redis, prefix: PORTICO_PREFIX, logger: ingest.logger, concurrency: o.concurrency, outboundAllowlist: [] });
  let done = 0;
  let target = Infinity;
  let reached: (() => void) | undefined;
  executor.worker.on("completed", (_job, result: { outcome?: string }) => {
    if (TERMINAL_OUTCOMES.has(result?.outcome ?? "") && ++done >= target) reached?.();
  });
  const until = (n: number, deadlineMs: number) =>
    new Promise<boolean>((resolve) => {
      target = n;
      const timer = setTimeout(() => resolve(false), deadlineMs);
      reached = () => {
        clearTimeout(timer);
        resolve(true);
      };
      if (done >= n) reached();
    });

  let run: { ms: number; done: number; timedOut: boolean };
  let cost: Cost;
  const phases: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - mark);
    mark = now;
  };
  try {
    await queueRuns(o.token, o.warmup);
    phase("queue warm-up");
    await until(o.warmup, o.deadlineMs);
    phase("run warm-up");
    await executor.worker.pause();
    await db.$executeRawUnsafe(`TRUNCATE "Execution" CASCADE`);
    await queueRuns(o.token, o.n);
    await db.$executeRawUnsafe("CHECKPOINT");
    phase("queue runs");
    done = 0;
    ({ value: run, cost } = await measured(async () => {
      const t0 = performance.now();
      executor.worker.resume();
      const finished = await until(o.n, o.deadlineMs);
      return { ms: performance.now() - t0, done, timedOut: !finished };
    }));
    phase("timed runs");
  } finally {
    // Past the deadline, stop at once: what is left is removed by the next reset.
    await executor.worker.close(true).catch(() => {});
    await executor.close().catch(() => {});
    redis.disconnect();
    phase("close");
    childLog(`phases (ms): ${JSON.stringify(phases)}`);
  }
  const n = o.n;
  const [succeeded, total, stepRuns, span] = await Promise.all([
    db.execution.count({ where: { status: "SUCCEEDED" } }),
    db.execution.count(),
    db.stepRun.count({ where: { status: "SUCCEEDED" } }),
    db.execution.aggregate({ _min: { startedAt: true }, _max: { finishedAt: true } }),
  ]);
  const dbSpanMs = (span._max.finishedAt?.getTime() ?? 0) - (span._min.startedAt?.getTime() ?? 0);
  return {
    ms: run.ms,
    done: run.done,
    timedOut: run.timedOut,
    cost,
    verify: { succeeded, total, stepRuns, dbSpanMs, ok: !run.timedOut && succeeded === n && total === n && stepRuns === n },
  };
}

serveParent(
  async (msg) => {
    if (msg.type === "ready") return { type: "ready" };
    if (msg.type === "bare") {
      await bareDrain(msg.warmup, msg.concurrency);
      const r = await bareDrain(msg.n, msg.concurrency);
      return { type: "result", ...r };
    }
    if (msg.type === "ledger") {
      const r = await ledgerMeasure(msg);
      return { type: "result", ...r };
    }
    if (msg.type === "portico") {
      const r = await porticoMeasure(msg);
      return { type: "result", ...r };
    }
    throw new Error(`unknown message ${JSON.stringify(msg)}`);
  },
  async () => {
    for (const close of closers) await Promise.resolve(close()).catch(() => {});
  },
);
