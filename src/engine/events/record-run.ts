import type { Db, Prisma } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { enqueueExecution, type ExecutionsQueue } from "@/lib/queues";
import { isUniqueViolation } from "../db-errors";

// Manual runs, replays, schedule ticks and breaker probes record their run here (webhooks and
// app events write theirs in multi-row statements: src/engine/ingest/execution-batch.ts), in the
// same order ingest uses: the Execution row is committed first, then the job is added — so an id
// handed back is always in the ledger, and a failed `add` is repaired by the reconciler.
// Idempotency is the unique (instance, flow, idempotencyKey) index.

export interface RecordRunDeps {
  db: Db;
  queue: ExecutionsQueue;
  logger: Logger;
  /** How long an `add` may take before we leave the run to the reconciler. Default 2 s. */
  enqueueTimeoutMs?: number;
}

export interface RunTarget {
  id: string;
  organizationId: string;
  customerId: string;
  versionId: string;
  status: string;
}

export interface NewRun {
  flowKey: string;
  triggerType: "WEBHOOK" | "EVENT" | "SCHEDULE" | "MANUAL";
  triggerSource: string;
  contentType: string | null;
  payload: Buffer | null;
  idempotencyKey?: string | null;
  orderingKey?: string | null;
  replayOfId?: string | null;
  /** Steps to store as already completed (a replay from a chosen step). */
  memoizedSteps?: { seq: number; name: string; output: Prisma.InputJsonValue | null; attempt: number; startedAt: Date; finishedAt: Date | null }[];
  /** Queue even though the instance is not ACTIVE (the breaker's probe). */
  queueWhenHeld?: boolean;
  /** Add the job with a delay (the breaker's cool-down). */
  delayMs?: number;
  /**
   * Checked in the row's own transaction, after an advisory lock on `guard.lockKey`: false
   * records nothing (a schedule's overlap policy: the check and the insert must not race).
   */
  guard?: { lockKey: string; allow(tx: Prisma.TransactionClient): Promise<boolean> };
}

export interface RecordedRun {
  /** "" when the guard refused (nothing recorded). */
  executionId: string;
  /** false: the idempotency key was seen before; the first run's id, nothing queued. */
  created: boolean;
  /** false: the instance is paused (held until resume) or Redis refused the add (reconciler). */
  queued: boolean;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`queue add timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function recordRun(deps: RecordRunDeps, instance: RunTarget, run: NewRun): Promise<RecordedRun> {
  const { db } = deps;
  const idempotencyKey = run.idempotencyKey || null;
  const steps = run.memoizedSteps ?? [];
  let executionId: string;
  try {
    const data = {
      organizationId: instance.organizationId,
      instanceId: instance.id,
      customerId: instance.customerId,
      versionId: instance.versionId,
      flowKey: run.flowKey,
      triggerType: run.triggerType,
      triggerSource: run.triggerSource,
      contentType: run.contentType,
      payload: run.payload as Uint8Array<ArrayBuffer> | null,
      idempotencyKey,
      orderingKey: run.orderingKey ?? null,
      replayOfId: run.replayOfId ?? null,
      status: "QUEUED" as const,
        ...(steps.length
          ? {
              steps: {
                createMany: {
                  data: steps.map((s) => ({
                    organizationId: instance.organizationId,
                    seq: s.seq,
                    name: s.name,
                    status: "SUCCEEDED" as const,
                    output: s.output ?? undefined,
                    attempt: s.attempt,
                    startedAt: s.startedAt,
                    finishedAt: s.finishedAt,
                  })),
                },
              },
            }
          : {}),
    } satisfies Prisma.ExecutionUncheckedCreateInput;
    const guard = run.guard;
    const row = guard
      ? await db.$transaction(async (tx) => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${guard.lockKey}, 0))`;
          if (!(await guard.allow(tx))) return null;
          return tx.execution.create({ data, select: { id: true } });
        })
      : await db.execution.create({ data, select: { id: true } });
    if (!row) return { executionId: "", created: false, queued: false };
    executionId = row.id;
  } catch (err) {
    if (idempotencyKey && isUniqueViolation(err)) {
      const first = await db.execution.findFirst({
        where: { instanceId: instance.id, flowKey: run.flowKey, idempotencyKey },
        select: { id: true },
      });
      if (first) return { executionId: first.id, created: false, queued: false };
    }
    throw err;
  }

  // A paused instance holds its runs: the row waits as QUEUED and is queued on resume.
  if (instance.status !== "ACTIVE" && !run.queueWhenHeld) return { executionId, created: true, queued: false };
  try {
    await withTimeout(enqueueExecution(deps.queue, executionId, { delayMs: run.delayMs ?? 0 }), deps.enqueueTimeoutMs ?? 2_000);
    return { executionId, created: true, queued: true };
  } catch (err) {
    deps.logger.warn({ err, executionId }, "queue add failed; the run is left for the reconciler");
    return { executionId, created: true, queued: false };
  }
}

/** Payload bytes of a JSON value (events, manual runs, schedule ticks). */
export function jsonPayload(value: unknown): { contentType: string; payload: Buffer } | { contentType: null; payload: null } {
  if (value === undefined) return { contentType: null, payload: null };
  return { contentType: "application/json", payload: Buffer.from(JSON.stringify(value)) };
}
