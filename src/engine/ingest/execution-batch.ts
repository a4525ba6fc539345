import { randomBytes } from "node:crypto";
import type pg from "pg";
import type { Logger } from "@/lib/logger";
import { executionJobId, QUEUES, type ExecutionsQueue } from "@/lib/queues";

// The webhook hot path's writer: requests that arrive together are recorded by ONE statement
// (a multi-row INSERT … SELECT over unnest() arrays, autocommitted) and queued by ONE `addBulk`,
// then each request gets its answer. A 202 still means "committed": nobody is answered before
// the statement that holds their row has returned. Plain `pg` with a named (prepared)
// statement: Prisma's per-query CPU cost more than the query itself here (docs/benchmarks.md).
//
// Batching is adaptive, not a timer: a batch is sent on the next turn of the event loop, at most
// `maxInFlight` batches are in the database at once, and whatever arrives meanwhile waits for the
// next one (up to `maxRows` rows / `maxBytes` bytes). An idle server therefore adds no latency,
// and a busy one writes bigger batches.
//
// The same statement re-checks every cached fact of the row's target (hook-targets.ts): token,
// instance, version, signing secret, "not deleted". A row whose check fails is not inserted and
// comes back as `stale`. Idempotency-Key conflicts (with existing rows or inside the batch) are
// skipped by ON CONFLICT DO NOTHING on the unique (instanceId, flowKey, idempotencyKey) index and
// come back as `duplicate`.

export interface BatchRow {
  token: string;
  instanceId: string;
  versionId: string;
  signingSecretSealed: string | null;
  contentType: string | null;
  payload: Buffer;
  idempotencyKey: string | null;
  orderingKey: string | null;
}

export type BatchOutcome =
  | { kind: "recorded"; executionId: string; queued: boolean }
  | { kind: "duplicate" }
  | { kind: "stale" };

export interface ExecutionBatcher {
  write(row: BatchRow): Promise<BatchOutcome>;
  /** Batches written and rows in them since start (for the benchmark and the logs). */
  stats(): { batches: number; rows: number };
}

export interface BatcherOptions {
  pool: pg.Pool;
  queue: ExecutionsQueue;
  logger: Logger;
  enqueueTimeoutMs: number;
  maxRows?: number;
  maxBytes?: number;
  maxInFlight?: number;
}

const INSERT = {
  name: "portico-ingest-webhook-batch",
  // The payloads travel as ONE binary parameter ($7, cut apart by offset and length): a bytea[]
  // would be sent as hex text, doubling the bytes and costing CPU on both sides.
  text: `WITH input AS (
  SELECT u.id, u.token, u.instance_id, u.version_id, u.signing_secret, u.content_type,
         substring($7::bytea FROM u.payload_start FOR u.payload_length) AS payload, u.idempotency_key, u.ordering_key, u.n
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $8::int[], $9::int[], $10::text[], $11::text[])
    WITH ORDINALITY AS u(id, token, instance_id, version_id, signing_secret, content_type, payload_start, payload_length, idempotency_key, ordering_key, n)
), target AS (
  SELECT u.*, e."flowKey" AS flow_key, i."organizationId" AS organization_id, i."customerId" AS customer_id, i.status::text AS instance_status
  FROM input u
  JOIN "WebhookEndpoint" e ON e.token = u.token AND e."instanceId" = u.instance_id AND e."signingSecret" IS NOT DISTINCT FROM u.signing_secret
  JOIN "Instance" i ON i.id = u.instance_id AND i."versionId" = u.version_id AND i."deletedAt" IS NULL AND i.status <> 'DELETED'
), inserted AS (
  INSERT INTO "Execution" (id, "organizationId", "instanceId", "customerId", "versionId", "flowKey", "triggerType", "triggerSource", "contentType", payload, "idempotencyKey", "orderingKey", status)
  SELECT id, organization_id, instance_id, customer_id, version_id, flow_key, 'WEBHOOK'::"TriggerType", 'webhook', content_type, payload, idempotency_key, ordering_key, 'QUEUED'::"ExecutionStatus"
  FROM target ORDER BY n
  ON CONFLICT DO NOTHING
  RETURNING id
)
SELECT t.id, t.instance_status, (x.id IS NOT NULL) AS created FROM target t LEFT JOIN inserted x ON x.id = t.id`,
};

let lastMs = 0;
let counter = 0;
// Tells this process's ids from another web process's ids created in the same millisecond.
const PROCESS_TAG = randomBytes(6).readUIntBE(0, 6).toString(36).padStart(10, "0").slice(-6);
/**
 * A cuid-shaped id (25 chars, like Prisma's defaults elsewhere) that sorts in creation order
 * within this process: the ordering gate breaks queuedAt ties (one batch = one timestamp) by id.
 * Unique: time (never going backwards here) + a per-millisecond counter + a per-process tag.
 * Not a secret (every id-taking route checks the organization), so the tail is Math.random.
 */
export function newExecutionId(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else counter++;
  const rand = Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, "0");
  return `c${lastMs.toString(36).padStart(9, "0")}${counter.toString(36).padStart(5, "0")}${PROCESS_TAG}${rand}`;
}

interface Pending {
  id: string;
  row: BatchRow;
  resolve(o: BatchOutcome): void;
  reject(e: unknown): void;
}

// SQLSTATE classes 22 (data exception) and 23 (integrity): something about one row, not the database.
const ROW_ERROR = /^(?:22|23)/;

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function createExecutionBatcher(o: BatcherOptions): ExecutionBatcher {
  const maxRows = o.maxRows ?? 100;
  const maxBytes = o.maxBytes ?? 4 * 1024 * 1024;
  const maxInFlight = o.maxInFlight ?? 3;
  const waiting: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;
  let batches = 0;
  let rows = 0;

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      pump();
    });
  }

  function pump() {
    while (inFlight < maxInFlight && waiting.length > 0) {
      let bytes = 0;
      let n = 0;
      while (n < waiting.length && n < maxRows && (n === 0 || bytes + waiting[n]!.row.payload.length <= maxBytes)) bytes += waiting[n++]!.row.payload.length;
      const batch = waiting.splice(0, n);
      inFlight++;
      void run(batch);
    }
  }

  async function insert(batch: Pending[]): Promise<Map<string, { status: string; created: boolean }>> {
    const col = <T>(f: (p: Pending) => T) => batch.map(f);
    const starts: number[] = [];
    let at = 1; // substring() counts from 1
    for (const p of batch) {
      starts.push(at);
      at += p.row.payload.length;
    }
    const res = await o.pool.query<{ id: string; instance_status: string; created: boolean }>({
      ...INSERT,
      values: [
        col((p) => p.id),
        col((p) => p.row.token),
        col((p) => p.row.instanceId),
        col((p) => p.row.versionId),
        col((p) => p.row.signingSecretSealed),
        col((p) => p.row.contentType),
        Buffer.concat(col((p) => p.row.payload)),
        starts,
        col((p) => p.row.payload.length),
        col((p) => p.row.idempotencyKey),
        col((p) => p.row.orderingKey),
      ],
    });
    return new Map(res.rows.map((r) => [r.id, { status: r.instance_status, created: r.created }]));
  }

  async function run(batch: Pending[]) {
    let result: Map<string, { status: string; created: boolean }>;
    try {
      result = await insert(batch);
    } catch (err) {
      inFlight--;
      schedule();
      const code = (err as { code?: unknown }).code;
      if (batch.length > 1 && typeof code === "string" && ROW_ERROR.test(code)) {
        // One bad row must not fail its neighbours: each goes again on its own.
        o.logger.warn({ err, rows: batch.length }, "webhook ingest: a batch failed on a row, retrying its rows one by one");
        for (const p of batch) void run1(p);
      } else for (const p of batch) p.reject(err);
      return;
    }
    inFlight--;
    batches++;
    rows += batch.length;
    schedule(); // the next batch may go to the database while this one is queued in Redis

    const toQueue = batch.filter((p) => {
      const r = result.get(p.id);
      return r?.created && r.status === "ACTIVE";
    });
    let queued = toQueue.length === 0;
    if (toQueue.length > 0) {
      try {
        await withTimeout(
          o.queue.addBulk(toQueue.map((p) => ({ name: QUEUES.executions.jobs.run.name, data: { executionId: p.id }, opts: { jobId: executionJobId(p.id) } }))),
          o.enqueueTimeoutMs,
          "queue addBulk",
        );
        queued = true;
      } catch (err) {
        // Still 202s: the committed rows are the ledger and the reconciler adds their jobs.
        o.logger.warn({ err, rows: toQueue.length }, "webhook ingest: queue add failed, left for the reconciler");
      }
    }
    for (const p of batch) {
      const r = result.get(p.id);
      if (!r) p.resolve({ kind: "stale" });
      else if (!r.created) p.resolve({ kind: "duplicate" });
      else p.resolve({ kind: "recorded", executionId: p.id, queued: queued && r.status === "ACTIVE" });
    }
  }

  function run1(p: Pending) {
    inFlight++;
    return run([p]);
  }

  return {
    write(row) {
      return new Promise<BatchOutcome>((resolve, reject) => {
        waiting.push({ id: newExecutionId(), row, resolve, reject });
        if (waiting.length >= maxRows) pump();
        else schedule();
      });
    },
    stats: () => ({ batches, rows }),
  };
}
