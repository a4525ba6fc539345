import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Logger } from "@/lib/logger";
import { enqueueExecution, type ExecutionsQueue } from "@/lib/queues";
import { decryptSecret } from "@/lib/crypto";
import { isUniqueViolation } from "../db-errors";
import { orderingKeyFor } from "../ordering/ordering-key";
import { signingSecretContext, verifySignature, type SignatureSpec } from "./verify-signature";

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

const notFound = () => new AppError("NOT_FOUND", "not found");

function header(headers: WebhookDelivery["headers"], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** PostgreSQL could not be reached or answered with an error: the sender must retry (503). */
function unavailable(logger: Logger, err: unknown): AppError {
  logger.error({ err }, "webhook ingest: database unavailable");
  return new AppError("UNAVAILABLE", "could not record the webhook, retry later");
}

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

type WebhookTrigger = { type?: string; maxBytes?: number; signature?: SignatureSpec };

async function checkFlowTrigger(
  deps: IngestDeps,
  instance: { id: string; organizationId: string; version: { manifest: unknown } },
  endpoint: { flowKey: string; signingSecret: string | null },
  delivery: WebhookDelivery,
): Promise<void> {
  const flows = (instance.version.manifest as { flows?: Record<string, { trigger?: WebhookTrigger }> } | null)?.flows;
  const trigger = flows?.[endpoint.flowKey]?.trigger;
  if (trigger?.maxBytes !== undefined && delivery.body.length > trigger.maxBytes)
    throw new AppError("PAYLOAD_TOO_LARGE", `body is larger than ${trigger.maxBytes} bytes`, { limit: trigger.maxBytes });
  if (!trigger?.signature) return;
  const refused = new AppError("UNAUTHENTICATED", "invalid signature");
  // A flow that asks for signatures refuses unsigned deliveries, even if its secret is missing.
  if (!endpoint.signingSecret) throw refused;
  let secret: string;
  try {
    secret = await decryptSecret(deps.db, instance.organizationId, endpoint.signingSecret, { context: signingSecretContext(instance.id, endpoint.flowKey) });
  } catch (err) {
    deps.logger.error({ err: (err as Error).name, instanceId: instance.id }, "webhook ingest: cannot decrypt the signing secret");
    throw refused;
  }
  if (!verifySignature(trigger.signature, secret, delivery.body, delivery.headers)) throw refused;
}

/**
 * Records one webhook delivery as a QUEUED execution and queues it.
 * Order matters: the row is committed first, then the job is added — a 202 therefore always
 * means the run is in the ledger, and a failed `add` is repaired by the reconciler.
 */
export async function ingestWebhook(deps: IngestDeps, delivery: WebhookDelivery): Promise<IngestResult> {
  const { db, logger } = deps;
  if (!TOKEN.test(delivery.token)) throw notFound();
  if (delivery.body.length > deps.maxBytes)
    throw new AppError("PAYLOAD_TOO_LARGE", `body is larger than ${deps.maxBytes} bytes`, { limit: deps.maxBytes });

  const idempotencyKey = header(delivery.headers, "idempotency-key")?.trim() || null;
  if (idempotencyKey && idempotencyKey.length > MAX_IDEMPOTENCY_KEY)
    throw new AppError("BAD_INPUT", `Idempotency-Key is longer than ${MAX_IDEMPOTENCY_KEY} characters`);

  let endpoint;
  try {
    endpoint = await db.webhookEndpoint.findUnique({
      where: { token: delivery.token },
      select: {
        flowKey: true,
        signingSecret: true,
        instance: {
          select: {
            id: true,
            organizationId: true,
            customerId: true,
            versionId: true,
            status: true,
            deletedAt: true,
            version: { select: { id: true, sha256: true, manifest: true } },
          },
        },
      },
    });
  } catch (err) {
    throw unavailable(logger, err);
  }
  const instance = endpoint?.instance;
  // A deleted instance's URL is indistinguishable from one that never existed.
  if (!endpoint || !instance || instance.status === "DELETED" || instance.deletedAt) throw notFound();
  // Per-flow body limit and HMAC signature (manifest), then the flow's ordering key if it has one.
  await checkFlowTrigger(deps, instance, endpoint, delivery);
  let orderingKey: string | null = null;
  try {
    orderingKey = await orderingKeyFor(db, logger, { version: instance.version, flowKey: endpoint.flowKey, body: delivery.body, contentType: delivery.contentType });
  } catch (err) {
    throw unavailable(logger, err);
  }

  let executionId: string;
  try {
    const row = await db.execution.create({
      data: {
        organizationId: instance.organizationId,
        instanceId: instance.id,
        customerId: instance.customerId,
        versionId: instance.versionId,
        flowKey: endpoint.flowKey,
        triggerType: "WEBHOOK",
        triggerSource: "webhook",
        contentType: delivery.contentType,
        // Kept byte for byte as received (JSON, form, XML or raw), for the run and for replays.
        payload: delivery.body as Uint8Array<ArrayBuffer>,
        idempotencyKey,
        orderingKey,
        status: "QUEUED",
      },
      select: { id: true },
    });
    executionId = row.id;
  } catch (err) {
    if (idempotencyKey && isUniqueViolation(err)) {
      const first = await db.execution
        .findFirst({ where: { instanceId: instance.id, flowKey: endpoint.flowKey, idempotencyKey }, select: { id: true } })
        .catch((e: unknown) => {
          throw unavailable(logger, e);
        });
      if (first) return { executionId: first.id, created: false, queued: false };
    }
    throw unavailable(logger, err);
  }

  // A paused instance holds its webhooks: the row waits as QUEUED and is queued on resume.
  if (instance.status !== "ACTIVE") return { executionId, created: true, queued: false };

  try {
    await withTimeout(enqueueExecution(deps.queue, executionId), deps.enqueueTimeoutMs ?? 2_000, "queue add");
    return { executionId, created: true, queued: true };
  } catch (err) {
    // Still a 202: the committed row is the ledger and the reconciler will add the job.
    logger.warn({ err, executionId }, "webhook ingest: queue add failed, left for the reconciler");
    return { executionId, created: true, queued: false };
  }
}
