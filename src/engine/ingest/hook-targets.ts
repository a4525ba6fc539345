import type { Db } from "@/lib/db";
import { decryptSecret } from "@/lib/crypto";
import type { Logger } from "@/lib/logger";
import { onWebhookEndpointChanged } from "@/server/services/instances/webhook-endpoint-changes";
import { flowIsOrdered } from "../ordering/ordering-key";
import { signingSecretContext, type SignatureSpec } from "./verify-signature";

// What the webhook hot path needs to know about a token, kept in the web process so that a
// webhook costs one SQL statement instead of three SELECTs and an INSERT.
//
// Staleness: none that changes an answer. Every fact a cached target carries is re-checked by
// the batched INSERT itself (execution-batch.ts joins the endpoint and the instance): the token
// still names this endpoint (rotation), the instance is not deleted and still runs the cached
// version (upgrade, rollback), the encrypted signing secret is unchanged (rotation). A row that
// fails the check is not inserted; the request reloads its target and tries again. The status
// (ACTIVE / PAUSED / NEEDS_ATTENTION: queue or hold) is read by that same statement, never from
// here. The flow's trigger settings come from the version, and a published version is immutable
// (a trigger in the database enforces it). A cached target that refuses a delivery (413, 401) is
// reloaded once before the refusal stands, so a secret or limit changed a moment ago is honoured.
// The TTL only bounds memory; unknown tokens are not cached (a new endpoint works at once).
// Rotations made in this process also drop their token at once (webhook-endpoint-changes.ts).

export interface WebhookTrigger {
  maxBytes?: number;
  signature?: SignatureSpec;
}

export interface HookTarget {
  token: string;
  flowKey: string;
  instanceId: string;
  organizationId: string;
  customerId: string;
  versionId: string;
  /** The encrypted secret as stored: the INSERT checks it is still the endpoint's. */
  signingSecretSealed: string | null;
  /** The decrypted secret, or null (none, or it could not be decrypted: signed flows then refuse). */
  secret: string | null;
  trigger: WebhookTrigger | undefined;
  /** For orderingKeyFor: the version with a manifest reduced to "is this flow ordered". */
  version: { id: string; sha256: string; manifest: unknown };
  /** Status when loaded; the hot path uses the status its INSERT reads. */
  deleted: boolean;
}

export interface HookTargets {
  /** The target of a token (cached unless `fresh`), null when no live instance has it. */
  get(token: string, opts?: { fresh?: boolean }): Promise<{ target: HookTarget | null; cached: boolean }>;
  forget(token: string): void;
  clear(): void;
}

const TTL_MS = 60_000;
const MAX_ENTRIES = 20_000;

// Every live cache of this process, told about rotations by one subscription.
const liveCaches = new Set<WeakRef<Map<string, unknown>>>();
let subscribed = false;
function track(entries: Map<string, unknown>) {
  liveCaches.add(new WeakRef(entries));
  if (subscribed) return;
  subscribed = true;
  onWebhookEndpointChanged(({ token }) => {
    for (const ref of liveCaches) {
      const cache = ref.deref();
      if (cache) cache.delete(token);
      else liveCaches.delete(ref);
    }
  });
}

export function createHookTargets(db: Db, logger: Logger): HookTargets {
  const entries = new Map<string, { target: HookTarget; expiresAt: number }>();
  // One load per token at a time: a cold cache under load must not send N identical look-ups.
  const loading = new Map<string, Promise<HookTarget | null>>();
  track(entries);

  async function load(token: string): Promise<HookTarget | null> {
    const endpoint = await db.webhookEndpoint.findUnique({
      where: { token },
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
    const instance = endpoint?.instance;
    if (!endpoint || !instance) return null;
    const flows = (instance.version.manifest as { flows?: Record<string, { trigger?: WebhookTrigger }> } | null)?.flows;
    const trigger = flows?.[endpoint.flowKey]?.trigger;
    let secret: string | null = null;
    if (endpoint.signingSecret && trigger?.signature) {
      try {
        secret = await decryptSecret(db, instance.organizationId, endpoint.signingSecret, { context: signingSecretContext(instance.id, endpoint.flowKey) });
      } catch (err) {
        logger.error({ err: (err as Error).name, instanceId: instance.id }, "webhook ingest: cannot decrypt the signing secret");
      }
    }
    const ordered = flowIsOrdered(instance.version.manifest, endpoint.flowKey);
    return {
      token,
      flowKey: endpoint.flowKey,
      instanceId: instance.id,
      organizationId: instance.organizationId,
      customerId: instance.customerId,
      versionId: instance.versionId,
      signingSecretSealed: endpoint.signingSecret,
      secret,
      trigger: trigger ? { ...(trigger.maxBytes !== undefined ? { maxBytes: trigger.maxBytes } : {}), ...(trigger.signature ? { signature: trigger.signature } : {}) } : undefined,
      version: { id: instance.version.id, sha256: instance.version.sha256, manifest: ordered ? { flows: { [endpoint.flowKey]: { ordered: true } } } : null },
      deleted: instance.status === "DELETED" || instance.deletedAt !== null,
    };
  }

  return {
    async get(token, opts = {}) {
      const now = Date.now();
      if (!opts.fresh) {
        const hit = entries.get(token);
        if (hit && hit.expiresAt > now) return { target: hit.target, cached: true };
      }
      let pending = loading.get(token);
      if (!pending) {
        pending = load(token).finally(() => loading.delete(token));
        loading.set(token, pending);
      }
      const target = await pending;
      entries.delete(token);
      if (target && !target.deleted) {
        if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
        entries.set(token, { target, expiresAt: Date.now() + TTL_MS });
      }
      return { target, cached: false };
    },
    forget(token) {
      entries.delete(token);
    },
    clear() {
      entries.clear();
    },
  };
}
