import { randomBytes } from "node:crypto";
import { loadBundle } from "@/engine/bundle/load-bundle";
import { newSigningSecret, signingSecretContext } from "@/engine/ingest/verify-signature";
import { encryptSecret } from "@/lib/crypto";
import type { Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit } from "../audit/record-audit";
import { syncInstanceSchedules } from "../executions/sync-instance-schedules";
import { getOwnedCustomer, getOwnedVersion } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";

export interface DeployInstanceInput {
  customerId: string;
  versionId: string;
  /** Defaults to the integration's name. */
  name?: string;
  /** Validated (and defaults applied) by the version's own config schema. */
  config: Record<string, unknown>;
  /** The integration's connection keys → ids of the customer's connections. */
  connections: Record<string, string>;
}

/** 32 random bytes: unguessable, and the token alone is the webhook's credential. */
export function newWebhookToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Deploys one integration version for one customer: the instance, its connection bindings and
 * one webhook endpoint per webhook flow, in one transaction. Returns the instance row with
 * `webhooks: [{ flowKey, token }]` (the URL is `${PUBLIC_URL}/api/hooks/${token}`).
 */
export async function deployInstance(scope: OrgScope, input: DeployInstanceInput) {
  const customer = await getOwnedCustomer(scope, input.customerId);
  const version = await getOwnedVersion(scope, input.versionId);
  const integration = await scope.db.integration.findUniqueOrThrow({ where: { id: version.integrationId }, select: { name: true } });
  if (version.status === "DRAFT") throw new AppError("CONFLICT", `version ${version.number} is a draft and cannot be deployed`);

  const def = loadBundle({ sha256: version.sha256, code: version.bundle });
  const config = def.config.safeParse(input.config ?? {});
  if (!config.success)
    throw new AppError("BAD_INPUT", "config does not match the integration's settings", {
      issues: config.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });

  const declared = def.connections ?? {};
  for (const key of Object.keys(input.connections))
    if (!(key in declared)) throw new AppError("BAD_INPUT", `the integration has no connection "${key}"`, { field: `connections.${key}` });
  const bindings: { key: string; connectionId: string }[] = [];
  for (const [key, decl] of Object.entries(declared)) {
    const connectionId = input.connections[key];
    if (!connectionId) {
      if (decl.auth === "none") continue;
      throw new AppError("BAD_INPUT", `connection "${key}" (${decl.app}) is required`, { field: `connections.${key}` });
    }
    const connection = await scope.db.connection.findFirst({
      where: { id: connectionId, organizationId: scope.organizationId, customerId: customer.id },
      select: { id: true, appKey: true },
    });
    if (!connection) throw new AppError("NOT_FOUND", `connection for "${key}" not found`, { field: `connections.${key}` });
    if (connection.appKey !== decl.app)
      throw new AppError("BAD_INPUT", `connection for "${key}" is for app "${connection.appKey}", not "${decl.app}"`, { field: `connections.${key}` });
    bindings.push({ key, connectionId: connection.id });
  }
  const webhookFlows = Object.entries(def.flows)
    .filter(([, flow]) => "webhook" in flow.trigger)
    .map(([flowKey]) => flowKey);

  const deployed = await scope.db.$transaction(async (tx) => {
    const instance = await tx.instance.create({
      data: {
        organizationId: scope.organizationId,
        customerId: customer.id,
        integrationId: version.integrationId,
        versionId: version.id,
        name: input.name?.trim() || integration.name,
        config: config.data as Prisma.InputJsonValue,
        status: "ACTIVE",
      },
    });
    if (bindings.length)
      await tx.instanceConnection.createMany({
        data: bindings.map((b) => ({ organizationId: scope.organizationId, instanceId: instance.id, ...b })),
      });
    const webhooks = webhookFlows.map((flowKey) => ({ flowKey, token: newWebhookToken() }));
    if (webhooks.length)
      await tx.webhookEndpoint.createMany({
        data: webhooks.map((w) => ({ organizationId: scope.organizationId, instanceId: instance.id, ...w })),
      });
    await recordAudit(
      scope,
      { action: "instance.deployed", targetType: "instance", targetId: instance.id, data: { versionId: version.id, customerId: customer.id } },
      tx,
    );
    return { ...instance, webhooks };
  });
  // Flows that check HMAC signatures get a secret per instance, kept encrypted (shown once, here).
  const signed = Object.entries(def.flows)
    .filter(([, flow]) => "webhook" in flow.trigger && (flow.trigger.webhook as { signature?: unknown }).signature)
    .map(([flowKey]) => flowKey);
  const signingSecrets: Record<string, string> = {};
  for (const flowKey of signed) {
    const secret = newSigningSecret();
    const ciphertext = await encryptSecret(scope.db, scope.organizationId, secret, { context: signingSecretContext(deployed.id, flowKey) });
    await scope.db.webhookEndpoint.update({ where: { instanceId_flowKey: { instanceId: deployed.id, flowKey } }, data: { signingSecret: ciphertext } });
    signingSecrets[flowKey] = secret;
  }
  await syncInstanceSchedules(scope.db, deployed.id);
  return { ...deployed, webhooks: deployed.webhooks.map((w) => ({ ...w, ...(signingSecrets[w.flowKey] ? { signingSecret: signingSecrets[w.flowKey] } : {}) })) };
}
