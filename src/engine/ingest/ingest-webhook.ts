import { hotPool, type Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Logger } from "@/lib/logger";
import type { ExecutionsQueue } from "@/lib/queues";
import { orderingKeyFor } from "../ordering/ordering-key";
import { createExecutionBatcher, queueRecordedExecutions, type ExecutionBatcher } from "./execution-batch";
import { createHookTargets, type HookTarget, type HookTargets } from "./hook-targets";
import { verifySignature } from "./verify-signature";

export interface IngestDeps {
  db: Db;
  queue: ExecutionsQueue;
  logger: Logger;
  /** Largest accepted body (env.WEBHOOK_MAX_BYTES). */
  maxBytes: number;
  /** How long an `add` to Redis may take before ingest gives up on it (the reconciler re-adds). */
  enqueueTimeoutMs?: number;
}

export interface WebhookDelivery {
  token: string;
  body: Buffer;
  contentType: string | null;
  headers: Record<string, string | string[] | undefined>;
}

export interface IngestResult {
  executionId: string;
  /** false when the Idempotency-Key was seen before: the first run's id, nothing queued. */
  created: boolean;
  /** false when the instance is paused (held until resume) or Redis refused the add. */
  queued: boolean;
}

const MAX_IDEMPOTENCY_KEY = 255;
const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;
/** Reloads of a target whose cached facts the INSERT found changed, before giving up with 503. */
const MAX_STALE_RETRIES = 3;

const notFound = () => new AppError("NOT_FOUND", "not found");

function header(headers: WebhookDelivery["headers"], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Redis refused the run's job (full, down, too slow): the sender must retry (503). */
function queueUnavailable(): AppError {
  return new AppError("UNAVAILABLE", "could not queue the webhook, retry later");
}

/** PostgreSQL could not be reached or answered with an error: the sender must retry (503). */
function unavailable(logger: Logger, err: unknown): AppError {
  logger.error({ err }, "webhook ingest: database unavailable");
  return new AppError("UNAVAILABLE", "could not record the webhook, retry later");
}

/** One per IngestDeps (one per front): the target cache and the batch writer. */
interface HotPath {
  targets: HookTargets;
  batcher: ExecutionBatcher;
}
const hotPaths = new WeakMap<IngestDeps, HotPath>();

function hotPathOf(deps: IngestDeps): HotPath {
  let hp = hotPaths.get(deps);
  if (!hp) {
    const pool = hotPool(deps.db);
    if (!pool) throw new Error("webhook ingest needs a database client made by createDb (src/lib/db.ts)");
    hp = {
      targets: createHookTargets(deps.db, deps.logger),
      batcher: createExecutionBatcher({ pool, queue: deps.queue, logger: deps.logger, enqueueTimeoutMs: deps.enqueueTimeoutMs ?? 2_000 }),
    };
    hotPaths.set(deps, hp);
  }
  return hp;
}

/** Batches and rows the front has written (benchmark and diagnostics). */
export function ingestBatchStats(deps: IngestDeps): { batches: number; rows: number } {
  return hotPaths.get(deps)?.batcher.stats() ?? { batches: 0, rows: 0 };
}

/** Per-flow body limit and HMAC signature (from the version's manifest). Throws 413 / 401. */
function checkFlowTrigger(target: HookTarget, delivery: WebhookDelivery): void {
  const trigger = target.trigger;
  if (trigger?.maxBytes !== undefined && delivery.body.length > trigger.maxBytes)
    throw new AppError("PAYLOAD_TOO_LARGE", `body is larger than ${trigger.maxBytes} bytes`, { limit: trigger.maxBytes });
  if (!trigger?.signature) return;
  // A flow that asks for signatures refuses unsigned deliveries, even if its secret is missing.
  if (!target.secret || !verifySignature(trigger.signature, target.secret, delivery.body, delivery.headers))
    throw new AppError("UNAUTHENTICATED", "invalid signature");
}

/**
 * Records one webhook delivery as a QUEUED execution and queues it.
 * Order matters: the row is committed first, then the job is added — a 202 therefore always
 * means the run is in the ledger, and a failed `add` is repaired by the reconciler. Concurrent
 * deliveries share one INSERT and one addBulk (execution-batch.ts).
 */
export async function ingestWebhook(deps: IngestDeps, delivery: WebhookDelivery): Promise<IngestResult> {
  const { db, logger } = deps;
  if (!TOKEN.test(delivery.token)) throw notFound();
  if (delivery.body.length > deps.maxBytes)
    throw new AppError("PAYLOAD_TOO_LARGE", `body is larger than ${deps.maxBytes} bytes`, { limit: deps.maxBytes });

  const idempotencyKey = header(delivery.headers, "idempotency-key")?.trim() || null;
  if (idempotencyKey && idempotencyKey.length > MAX_IDEMPOTENCY_KEY)
    throw new AppError("BAD_INPUT", `Idempotency-Key is longer than ${MAX_IDEMPOTENCY_KEY} characters`);

  const hp = hotPathOf(deps);
  let fresh = false;
  for (let attempt = 0; ; attempt++) {
    let found;
    try {
      found = await hp.targets.get(delivery.token, { fresh });
    } catch (err) {
      throw unavailable(logger, err);
    }
    const target = found.target;
    // A deleted instance's URL is indistinguishable from one that never existed.
    if (!target || target.deleted) throw notFound();
    try {
      checkFlowTrigger(target, delivery);
    } catch (err) {
      // A refusal from a cached target is checked once more against the database (a secret
      // rotated or an upgrade that raised the limit a moment ago).
      if (found.cached) {
        fresh = true;
        continue;
      }
      throw err;
    }

    let orderingKey: string | null;
    let outcome;
    try {
      orderingKey = await orderingKeyFor(db, logger, { version: target.version, flowKey: target.flowKey, body: delivery.body, contentType: delivery.contentType });
      outcome = await hp.batcher.write({
        token: target.token,
        instanceId: target.instanceId,
        versionId: target.versionId,
        signingSecretSealed: target.signingSecretSealed,
        contentType: delivery.contentType,
        // Kept byte for byte as received (JSON, form, XML or raw), for the run and for replays.
        payload: delivery.body,
        idempotencyKey,
        // PostgreSQL text cannot hold NUL; a key function could return one.
        orderingKey: orderingKey?.replaceAll("\u0000", "") ?? null,
      });
    } catch (err) {
      throw unavailable(logger, err);
    }

    if (outcome.kind === "recorded") return { executionId: outcome.executionId, created: true, queued: outcome.queued };
    if (outcome.kind === "unqueued") {
      // Committed but no job: 503 (a 202 promises a queued run). A kept row is found again by the
      // sender's retry with the same Idempotency-Key; without a key it was deleted — unless that
      // failed too, and then the row is the run: 202, since a retry would run it a second time.
      if (outcome.kept && !idempotencyKey) return { executionId: outcome.executionId, created: true, queued: false };
      throw queueUnavailable();
    }
    if (outcome.kind === "duplicate") {
      // The key was seen before (or earlier in the same batch): the first run's id, nothing queued.
      let first;
      try {
        first = await hotPool(db)!.query<{ id: string; status: string; same: boolean }>({
          name: "portico-ingest-idempotent-first-v3",
          text: `SELECT id, status::text AS status, (payload IS NOT DISTINCT FROM $4::bytea) AS same FROM "Execution" WHERE "instanceId" = $1 AND "flowKey" = $2 AND "idempotencyKey" = $3`,
          values: [target.instanceId, target.flowKey, idempotencyKey, delivery.body],
        });
      } catch (err) {
        throw unavailable(logger, err);
      }
      const row = first.rows[0];
      // A key reused for different content is a sender's bug (Stripe answers the same): say so
      // rather than silently dropping the second body.
      if (row && !row.same)
        throw new AppError("CONFLICT", "this Idempotency-Key was already used with a different body", { executionId: row.id });
      if (row && row.status === "QUEUED" && outcome.instanceStatus === "ACTIVE") {
        // Not started yet: its job may be missing (Redis refused it when the first delivery got
        // a 503). Adding it again is a no-op when it exists (job id = run id); when Redis still
        // refuses, this sender gets 503 too — a 202 promises a queued run.
        try {
          await queueRecordedExecutions(deps.queue, [row.id], deps.enqueueTimeoutMs ?? 2_000);
        } catch (err) {
          logger.warn({ err }, "webhook ingest: queue add of a retried delivery failed, answering 503");
          throw queueUnavailable();
        }
      }
      if (row) return { executionId: row.id, created: false, queued: false };
      throw unavailable(logger, new Error("idempotency conflict without a first run"));
    }
    // stale: the token, instance, version or secret changed since the target was loaded.
    hp.targets.forget(delivery.token);
    if (attempt >= MAX_STALE_RETRIES) throw unavailable(logger, new Error("webhook target kept changing while recording"));
    fresh = true;
  }
}
