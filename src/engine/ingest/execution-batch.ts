import { randomBytes } from "node:crypto";
import type pg from "pg";
import { faultExitAfterCommit } from "@/lib/env";
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
//
// App events (src/engine/events/publish-event.ts) reuse the statement builder and the addBulk
// below for one event's fan-out, without the batcher: an event's rows go alone, in one statement.

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
  /** Committed, and queued (`queued` false: the instance is paused and holds it on purpose). */
  | { kind: "recorded"; executionId: string; queued: boolean }
  /**
   * Committed, but Redis refused (or timed out on) its job. `kept`: the row stays and the
   * reconciler queues it once Redis takes writes again — always so for a row with an
   * Idempotency-Key (a retry with the key finds it); a row without a key is deleted instead, so
   * that the sender's retry is its only run, and is kept only when that delete failed.
   */
  | { kind: "unqueued"; executionId: string; kept: boolean }
  /** The Idempotency-Key was recorded before; `instanceStatus`: the status of its instance now. */
  | { kind: "duplicate"; instanceStatus: string }
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

/** The columns every trigger's rows carry (parameters $1…$6 of the statements below). */
const COMMON_COLUMNS = ["id", "instance_id", "version_id", "content_type", "idempotency_key", "ordering_key"];

/** A row of a multi-row Execution INSERT: the id is made here (newExecutionId), not by Prisma. */
export interface ExecutionInsertRow {
  id: string;
  instanceId: string;
  versionId: string;
  contentType: string | null;
  /** Rows that share one Buffer object (an event's fan-out) send its bytes once. */
  payload: Buffer;
  idempotencyKey: string | null;
  orderingKey: string | null;
}

interface InsertStatement<R extends ExecutionInsertRow> {
  name: string;
  text: string;
  /** Values of the trigger's own text[] columns, in their parameter order. */
  extra: ((row: R) => string | null)[];
}

/**
 * One multi-row INSERT … SELECT over unnest() arrays for a trigger's rows. Shared by webhooks
 * (batches of deliveries) and app events (one event's fan-out): the same columns, the same
 * re-check of each row's instance (still on that version, not deleted; its status read in the
 * same statement: ACTIVE → queued, otherwise held), the same ON CONFLICT DO NOTHING on the
 * unique (instanceId, flowKey, idempotencyKey) index. `target` joins the trigger's own checks
 * and names each row's flow_key; `allOrNothing`: when any row fails its check none is inserted.
 */
function insertStatement<R extends ExecutionInsertRow>(o: {
  name: string;
  extra: { column: string; value: (row: R) => string | null }[];
  target: string;
  triggerType: "WEBHOOK" | "EVENT";
  triggerSource: string;
  allOrNothing?: boolean;
}): InsertStatement<R> {
  const columns = [...COMMON_COLUMNS, ...o.extra.map((e) => e.column)];
  const k = columns.length;
  // The payloads travel as ONE binary parameter (cut apart by offset and length): a bytea[]
  // would be sent as hex text, doubling the bytes and costing CPU on both sides.
  const text = `WITH input AS (
  SELECT u.*, substring($${k + 1}::bytea FROM u.payload_start FOR u.payload_length) AS payload
  FROM unnest(${columns.map((_, i) => `$${i + 1}::text[]`).join(", ")}, $${k + 2}::int[], $${k + 3}::int[])
    WITH ORDINALITY AS u(${columns.join(", ")}, payload_start, payload_length, n)
), target AS (
  SELECT u.*, ${o.target.trim()}
  JOIN "Instance" i ON i.id = u.instance_id AND i."versionId" = u.version_id AND i."deletedAt" IS NULL AND i.status <> 'DELETED'
), inserted AS (
  INSERT INTO "Execution" (id, "organizationId", "instanceId", "customerId", "versionId", "flowKey", "triggerType", "triggerSource", "contentType", payload, "idempotencyKey", "orderingKey", status)
  SELECT id, organization_id, instance_id, customer_id, version_id, flow_key, '${o.triggerType}'::"TriggerType", ${o.triggerSource}, content_type, payload, idempotency_key, ordering_key, 'QUEUED'::"ExecutionStatus"
  FROM target${o.allOrNothing ? "\n  WHERE (SELECT count(*) FROM target) = (SELECT count(*) FROM input)" : ""} ORDER BY n
  ON CONFLICT DO NOTHING
  RETURNING id
)
SELECT t.id, t.instance_status, (x.id IS NOT NULL) AS created FROM target t LEFT JOIN inserted x ON x.id = t.id`;
  return { name: o.name, text, extra: o.extra.map((e) => e.value) };
}

/** Instance facts every target selects (after the trigger's own columns). */
const INSTANCE_FACTS = `i."organizationId" AS organization_id, i."customerId" AS customer_id, i.status::text AS instance_status`;

type WebhookInsertRow = ExecutionInsertRow & Pick<BatchRow, "token" | "signingSecretSealed">;

// Webhooks: the token still belongs to the endpoint (URL rotation), the sealed signing secret is
// unchanged (secret rotation); the flow is the endpoint's.
const WEBHOOK_INSERT = insertStatement<WebhookInsertRow>({
  name: "portico-ingest-webhook-batch-v2",
  extra: [
    { column: "token", value: (r) => r.token },
    { column: "signing_secret", value: (r) => r.signingSecretSealed },
  ],
  target: `e."flowKey" AS flow_key, ${INSTANCE_FACTS}
  FROM input u
  JOIN "WebhookEndpoint" e ON e.token = u.token AND e."instanceId" = u.instance_id AND e."signingSecret" IS NOT DISTINCT FROM u.signing_secret`,
  triggerType: "WEBHOOK",
  triggerSource: "'webhook'",
});

export interface EventInsertRow extends ExecutionInsertRow {
  flowKey: string;
  triggerSource: string;
}

// App events: one event's fan-out is one statement, all rows or none (an instance upgraded or
// deleted since its flows were read makes the caller read them again).
const EVENT_INSERT = insertStatement<EventInsertRow>({
  name: "portico-events-fanout",
  extra: [
    { column: "flow_key", value: (r) => r.flowKey },
    { column: "trigger_source", value: (r) => r.triggerSource },
  ],
  target: `${INSTANCE_FACTS}
  FROM input u`,
  triggerType: "EVENT",
  triggerSource: "trigger_source",
  allOrNothing: true,
});

/** Per row id: the instance's status when the row was written, and whether it was inserted. */
export type InsertResult = Map<string, { status: string; created: boolean }>;

async function insertRows<R extends ExecutionInsertRow>(pool: pg.Pool, statement: InsertStatement<R>, rows: R[]): Promise<InsertResult> {
  const starts: number[] = [];
  const parts: Buffer[] = [];
  const at = new Map<Buffer, number>();
  let next = 1; // substring() counts from 1
  for (const r of rows) {
    let start = at.get(r.payload);
    if (start === undefined) {
      start = next;
      at.set(r.payload, start);
      parts.push(r.payload);
      next += r.payload.length;
    }
    starts.push(start);
  }
  const res = await pool.query<{ id: string; instance_status: string; created: boolean }>({
    name: statement.name,
    text: statement.text,
    values: [
      rows.map((r) => r.id),
      rows.map((r) => r.instanceId),
      rows.map((r) => r.versionId),
      rows.map((r) => r.contentType),
      rows.map((r) => r.idempotencyKey),
      rows.map((r) => r.orderingKey),
      ...statement.extra.map((f) => rows.map(f)),
      Buffer.concat(parts),
      starts,
      rows.map((r) => r.payload.length),
    ],
  });
  return new Map(res.rows.map((r) => [r.id, { status: r.instance_status, created: r.created }]));
}

/**
 * Records one event's fan-out in ONE autocommitted statement: every row, or — when any row's
 * instance changed version or was deleted since it was read — none (`"stale"`). Rows whose
 * idempotency key was seen before come back with `created: false`.
 */
export async function insertEventExecutions(pool: pg.Pool, rows: EventInsertRow[]): Promise<InsertResult | "stale"> {
  const result = await insertRows(pool, EVENT_INSERT, rows);
  return result.size === rows.length ? result : "stale";
}

/** ONE addBulk for runs just committed (jobId = executionId, data ids only). Throws on failure or timeout. */
export async function queueRecordedExecutions(queue: ExecutionsQueue, executionIds: string[], timeoutMs: number): Promise<void> {
  if (executionIds.length === 0) return;
  await withTimeout(
    queue.addBulk(executionIds.map((id) => ({ name: QUEUES.executions.jobs.run.name, data: { executionId: id }, opts: { jobId: executionJobId(id) } }))),
    timeoutMs,
    "queue addBulk",
  );
}

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
  const exitAfterCommit = faultExitAfterCommit();

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

  function insert(batch: Pending[]): Promise<InsertResult> {
    return insertRows(o.pool, WEBHOOK_INSERT, batch.map((p) => ({ id: p.id, ...p.row })));
  }

  async function run(batch: Pending[]) {
    let result: InsertResult;
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
    // Exists for the reliability test C6 (reliability/crash-after-commit): the process dies here,
    // with this batch's rows committed and their jobs never added — the reconciler must queue them.
    // The ids go to stdout first (a pipe: written synchronously) so the test knows its orphans.
    if (batches === exitAfterCommit) {
      process.stdout.write(`FAULT_EXIT_AFTER_COMMIT ${batch.filter((p) => result.get(p.id)?.created).map((p) => p.id).join(",")}\n`);
      process.exit(1);
    }
    schedule(); // the next batch may go to the database while this one is queued in Redis

    const toQueue = batch.filter((p) => {
      const r = result.get(p.id);
      return r?.created && r.status === "ACTIVE";
    });
    let queued = true;
    const removed = new Set<string>();
    try {
      await queueRecordedExecutions(o.queue, toQueue.map((p) => p.id), o.enqueueTimeoutMs);
    } catch (err) {
      // No 202 without a job (DESIGN: "202 only once the job is durably queued"): these senders
      // get 503 and retry. Rows with an Idempotency-Key stay (the retry returns the same run, and
      // the reconciler queues it once Redis has room, even if nobody retries); rows without one
      // are deleted, else the sender's retry would be a second run.
      queued = false;
      o.logger.warn({ err, rows: toQueue.length }, "webhook ingest: queue add failed, answering 503");
      for (const id of await removeUnkeyed(toQueue)) removed.add(id);
    }
    for (const p of batch) {
      const r = result.get(p.id);
      if (!r) p.resolve({ kind: "stale" });
      else if (!r.created) p.resolve({ kind: "duplicate", instanceStatus: r.status });
      else if (r.status === "ACTIVE" && !queued) p.resolve({ kind: "unqueued", executionId: p.id, kept: !removed.has(p.id) });
      else p.resolve({ kind: "recorded", executionId: p.id, queued: r.status === "ACTIVE" });
    }
  }

  /**
   * Deletes the rows without an Idempotency-Key of a batch whose jobs Redis refused; returns the
   * ids deleted. Only rows still QUEUED and never started: one an executor already claimed (the
   * add timed out yet reached Redis) stays. A job left behind for a deleted row is dropped by the
   * executor ("execution not found"). If the delete fails the rows stay, and the reconciler runs them.
   */
  async function removeUnkeyed(toQueue: Pending[]): Promise<string[]> {
    const ids = toQueue.filter((p) => p.row.idempotencyKey === null).map((p) => p.id);
    if (ids.length === 0) return [];
    try {
      const res = await o.pool.query<{ id: string }>({
        name: "portico-ingest-remove-unqueued",
        text: `DELETE FROM "Execution" WHERE id = ANY($1::text[]) AND status = 'QUEUED' AND "startedAt" IS NULL RETURNING id`,
        values: [ids],
      });
      return res.rows.map((r) => r.id);
    } catch (err) {
      o.logger.error({ err, rows: ids.length }, "webhook ingest: could not remove unqueued rows; the reconciler will queue them");
      return [];
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
