import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { Logger } from "@/lib/logger";
import { RunTakenOverError } from "./classify";
import { asPgError } from "./pg-errors";

// Group commit of run records across the runs an executor has in flight. Every write a run makes
// on its happy path (a completed step, its final SUCCEEDED status with its logs and HTTP
// exchanges) is queued here; whatever queued while the previous batch was committing goes out
// as ONE statement (data-modifying CTEs over unnest()ed arrays: one round trip, one fsync), and
// each run waits for the commit of its own writes — a step's result is durable before the run
// goes past it, the final status before the BullMQ job completes. A batch that fails for a reason
// other than the database being unavailable is retried write by write, so one bad row fails
// only its own run.

/** JSON text, or null for SQL NULL. */
type JsonText = string | null;

export interface StepWrite {
  organizationId: string;
  executionId: string;
  seq: number;
  name: string;
  /** JSON text of the result; null: no value (SQL NULL), "null": JSON null. */
  output: JsonText;
  attempt: number;
  startedAt: Date;
  finishedAt: Date;
}

export interface LogRow {
  organizationId: string;
  executionId: string;
  level: string;
  message: string;
  data: JsonText;
  stepName: string | null;
  at: Date;
}

export interface ExchangeRow {
  organizationId: string;
  executionId: string;
  stepName: string | null;
  method: string;
  url: string;
  status: number | null;
  requestHeaders: JsonText;
  requestBody: string | null;
  responseHeaders: JsonText;
  responseBody: string | null;
  error: string | null;
  durationMs: number | null;
  startedAt: Date;
}

export interface SuccessWrite {
  executionId: string;
  /** The attempt that claimed the row: the status is only written while the run is still ours. */
  attempt: number;
  maxAttempts: number;
  finishedAt: Date;
  result: JsonText;
  reference: string | null;
  /** Reset the instance's breaker counter (it was > 0). */
  resetInstanceId: string | null;
  logs: LogRow[];
  exchanges: ExchangeRow[];
}

type Item =
  | { kind: "step"; w: StepWrite; resolve(output: unknown): void; reject(err: unknown): void }
  | { kind: "success"; w: SuccessWrite; resolve(v: unknown): void; reject(err: unknown): void };

const MAX_BATCH = 256;

const ts = (d: Date) => d.toISOString();

const BATCH_SQL = `
WITH s AS (
  INSERT INTO "StepRun" (id, "organizationId", "executionId", seq, name, status, output, attempt, "startedAt", "finishedAt")
  SELECT u.id, u.org, u.ex, u.seq, u.name, 'SUCCEEDED', u.output::jsonb, u.attempt, u.st, u.fin
  FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::int[], $8::timestamp(3)[], $9::timestamp(3)[])
    AS u(id, org, ex, seq, name, output, attempt, st, fin)
  -- Only while the run is still this attempt's: an attempt that lost its lock to another must not
  -- overwrite the new attempt's steps (it learns so from the missing row).
  WHERE EXISTS (SELECT 1 FROM "Execution" e WHERE e.id = u.ex AND e.status = 'RUNNING' AND e.attempt = u.attempt)
  ON CONFLICT ("executionId", seq) DO UPDATE SET name = EXCLUDED.name, status = EXCLUDED.status, output = EXCLUDED.output,
    attempt = EXCLUDED.attempt, "startedAt" = EXCLUDED."startedAt", "finishedAt" = EXCLUDED."finishedAt", "errorClass" = NULL, "errorMessage" = NULL
  RETURNING "executionId", seq, output
), x AS (
  UPDATE "Execution" e SET status = 'SUCCEEDED', "finishedAt" = u.fin, result = u.result::jsonb, reference = u.ref, "maxAttempts" = u.max,
    "errorClass" = NULL, "errorMessage" = NULL, "customerMessage" = NULL
  FROM unnest($10::text[], $11::int[], $12::int[], $13::timestamp(3)[], $14::text[], $15::text[]) AS u(id, attempt, max, fin, result, ref)
  WHERE e.id = u.id AND e.status = 'RUNNING' AND e.attempt = u.attempt
  RETURNING e.id
), r AS (
  UPDATE "Instance" SET "consecutiveFailures" = 0 WHERE id = ANY($16::text[]) AND "consecutiveFailures" > 0 RETURNING id
), l AS (
  INSERT INTO "LogEntry" (id, "organizationId", "executionId", level, message, data, "stepName", at)
  SELECT u.id, u.org, u.ex, u.level::"LogLevel", u.message, u.data::jsonb, u.step, u.at
  FROM unnest($17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::timestamp(3)[])
    AS u(id, org, ex, level, message, data, step, at)
  WHERE u.ex IN (SELECT id FROM x)
  RETURNING 1
), h AS (
  INSERT INTO "HttpExchange" (id, "organizationId", "executionId", "stepName", method, url, status, "requestHeaders", "requestBody",
    "responseHeaders", "responseBody", error, "durationMs", "startedAt")
  SELECT u.id, u.org, u.ex, u.step, u.method, u.url, u.status, u.rqh::jsonb, u.rqb, u.rsh::jsonb, u.rsb, u.err, u.dur, u.st
  FROM unnest($25::text[], $26::text[], $27::text[], $28::text[], $29::text[], $30::text[], $31::int[], $32::text[], $33::text[],
    $34::text[], $35::text[], $36::text[], $37::int[], $38::timestamp(3)[])
    AS u(id, org, ex, step, method, url, status, rqh, rqb, rsh, rsb, err, dur, st)
  WHERE u.ex IN (SELECT id FROM x)
  RETURNING 1
)
SELECT "executionId", seq, output FROM s`;

function params(items: Item[], withRecords: boolean): unknown[] {
  const steps = items.filter((i): i is Extract<Item, { kind: "step" }> => i.kind === "step").map((i) => i.w);
  const finals = items.filter((i): i is Extract<Item, { kind: "success" }> => i.kind === "success").map((i) => i.w);
  const logs = withRecords ? finals.flatMap((f) => f.logs) : [];
  const exchanges = withRecords ? finals.flatMap((f) => f.exchanges) : [];
  return [
    steps.map(() => randomUUID()),
    steps.map((s) => s.organizationId),
    steps.map((s) => s.executionId),
    steps.map((s) => s.seq),
    steps.map((s) => s.name),
    steps.map((s) => s.output),
    steps.map((s) => s.attempt),
    steps.map((s) => ts(s.startedAt)),
    steps.map((s) => ts(s.finishedAt)),
    finals.map((f) => f.executionId),
    finals.map((f) => f.attempt),
    finals.map((f) => f.maxAttempts),
    finals.map((f) => ts(f.finishedAt)),
    finals.map((f) => f.result),
    finals.map((f) => f.reference),
    finals.flatMap((f) => (f.resetInstanceId ? [f.resetInstanceId] : [])),
    logs.map(() => randomUUID()),
    logs.map((l) => l.organizationId),
    logs.map((l) => l.executionId),
    logs.map((l) => l.level),
    logs.map((l) => l.message),
    logs.map((l) => l.data),
    logs.map((l) => l.stepName),
    logs.map((l) => ts(l.at)),
    exchanges.map(() => randomUUID()),
    exchanges.map((x) => x.organizationId),
    exchanges.map((x) => x.executionId),
    exchanges.map((x) => x.stepName),
    exchanges.map((x) => x.method),
    exchanges.map((x) => x.url),
    exchanges.map((x) => x.status),
    exchanges.map((x) => x.requestHeaders),
    exchanges.map((x) => x.requestBody),
    exchanges.map((x) => x.responseHeaders),
    exchanges.map((x) => x.responseBody),
    exchanges.map((x) => x.error),
    exchanges.map((x) => x.durationMs),
    exchanges.map((x) => ts(x.startedAt)),
  ];
}

export class RecordWriter {
  private queue: Item[] = [];
  private flushing = false;
  private scheduled = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {}

  /** Stores a completed step; resolves, once committed, with its output as PostgreSQL returns it (jsonb key order). */
  stepSucceeded(w: StepWrite): Promise<unknown> {
    return new Promise((resolve, reject) => this.push({ kind: "step", w, resolve, reject }));
  }

  /** Writes a run's final SUCCEEDED status with its pending logs and exchanges; resolves once committed. */
  succeeded(w: SuccessWrite): Promise<void> {
    return new Promise<unknown>((resolve, reject) => this.push({ kind: "success", w, resolve, reject })).then(() => undefined);
  }

  private push(item: Item) {
    this.queue.push(item);
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    // Writes of runs that finish in the same turn of the event loop go together.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush() {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length) {
        const batch = this.takeBatch();
        await this.write(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Up to MAX_BATCH items, at most one per (execution, seq) and per execution's status: ON CONFLICT may touch a row once per statement. */
  private takeBatch(): Item[] {
    const batch: Item[] = [];
    const rest: Item[] = [];
    const keys = new Set<string>();
    for (const item of this.queue) {
      const key = item.kind === "step" ? `s:${item.w.executionId}:${item.w.seq}` : `x:${item.w.executionId}`;
      if (batch.length >= MAX_BATCH || keys.has(key)) rest.push(item);
      else {
        keys.add(key);
        batch.push(item);
      }
    }
    this.queue = rest;
    return batch;
  }

  private async write(batch: Item[]) {
    try {
      this.settle(batch, await this.run(batch, true));
    } catch (err) {
      const e = asPgError(err);
      if (batch.length === 1 || e !== err) {
        if (batch.length === 1 && e === err && batch[0]!.kind === "success") return this.withoutRecords(batch[0]!, err);
        for (const item of batch) item.reject(e);
        return;
      }
      // One bad write must not fail the others: each on its own.
      for (const item of batch) await this.write([item]);
    }
  }

  /** Records are the support trail, the status is the ledger: if the records cannot be written the status still is. */
  private async withoutRecords(item: Item, cause: unknown) {
    this.logger.warn({ err: cause }, "could not write run records with the run's status; writing the status alone");
    try {
      this.settle([item], await this.run([item], false));
    } catch (err) {
      item.reject(asPgError(err));
    }
  }

  private async run(batch: Item[], withRecords: boolean) {
    const res = await this.pool.query<{ executionId: string; seq: number; output: unknown }>({
      name: "portico-record-batch",
      text: BATCH_SQL,
      values: params(batch, withRecords),
    });
    return res.rows;
  }

  private settle(batch: Item[], rows: { executionId: string; seq: number; output: unknown }[]) {
    const outputs = new Map(rows.map((r) => [`${r.executionId}:${r.seq}`, r.output]));
    for (const item of batch) {
      if (item.kind !== "step") item.resolve(undefined);
      else {
        const key = `${item.w.executionId}:${item.w.seq}`;
        if (outputs.has(key)) item.resolve(outputs.get(key) ?? null);
        else item.reject(new RunTakenOverError(`run ${item.w.executionId} is no longer attempt ${item.w.attempt}'s: step ${item.w.seq} was not stored`));
      }
    }
  }
}
