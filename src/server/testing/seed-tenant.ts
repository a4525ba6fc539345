import { randomBytes } from "node:crypto";
import type { Role } from "@/generated/prisma/client";
import { generateApiKey } from "@/lib/api-keys";
import type { Db } from "@/lib/db";
import { hashPassword } from "@/lib/passwords";
import { createContext, type Context } from "../context";
import { newInvitationToken } from "../services/members/invitation-token";

// Test data: one organization with one row of every tenant table, written straight through
// Prisma (no engine services), so tenancy tests do not depend on how rows get made.

export const TEST_PASSWORD = "correct horse battery";

let passwordHash: Promise<string> | undefined;

export type SeededTenant = Awaited<ReturnType<typeof seedTenant>>;

export async function seedTenant(db: Db, label: string) {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const hash = await passwordHash;
  const tag = `${label}-${randomBytes(3).toString("hex")}`;
  const org = await db.organization.create({ data: { name: `Org ${label}`, slug: `org-${tag}` } });
  const organizationId = org.id;

  const users = {} as Record<Role, { userId: string; memberId: string; email: string }>;
  for (const role of ["OWNER", "BUILDER", "SUPPORT"] as const) {
    const email = `${role.toLowerCase()}@${tag}.test`;
    const user = await db.user.create({ data: { email, name: `${role} ${label}`, passwordHash: hash } });
    const member = await db.member.create({ data: { organizationId, userId: user.id, role } });
    users[role] = { userId: user.id, memberId: member.id, email };
  }

  const customer = await db.customer.create({
    data: { organizationId, externalId: `cust-${tag}`, name: `Customer ${label}`, labels: ["vip"] },
  });
  const app = await db.app.create({
    data: { organizationId, key: "erp", name: "ERP", baseUrl: "http://127.0.0.1:9", authType: "API_KEY" },
  });
  const integration = await db.integration.create({
    data: { organizationId, key: `sync-${tag}`, name: `Sync ${label}`, category: "ERP" },
  });
  const version = await db.integrationVersion.create({
    data: {
      organizationId,
      integrationId: integration.id,
      number: 1,
      manifest: { flows: { onOrder: { trigger: { webhook: {} } } } },
      bundle: "export default {}",
      sha256: randomBytes(32).toString("hex"),
    },
  });
  const instance = await db.instance.create({
    data: {
      organizationId,
      customerId: customer.id,
      integrationId: integration.id,
      versionId: version.id,
      name: `Instance ${label}`,
      config: { warehouse: label },
    },
  });
  const webhook = await db.webhookEndpoint.create({
    data: { organizationId, instanceId: instance.id, flowKey: "onOrder", token: `tok_${tag}_${randomBytes(8).toString("hex")}` },
  });
  const connection = await db.connection.create({
    data: { organizationId, customerId: customer.id, appKey: app.key, authType: "API_KEY", secret: "not-a-real-ciphertext" },
  });
  await db.instanceConnection.create({
    data: { organizationId, instanceId: instance.id, key: "erp", connectionId: connection.id },
  });
  await db.instanceState.create({ data: { organizationId, instanceId: instance.id, key: "cursor", value: 1 } });

  const queuedAt = new Date(Date.now() - 60_000);
  const execution = await db.execution.create({
    data: {
      organizationId,
      instanceId: instance.id,
      customerId: customer.id,
      versionId: version.id,
      flowKey: "onOrder",
      triggerType: "WEBHOOK",
      contentType: "application/json",
      payload: Buffer.from(JSON.stringify({ order: label })),
      reference: `ORD-${tag}`,
      status: "SUCCEEDED",
      attempt: 1,
      queuedAt,
      startedAt: new Date(queuedAt.getTime() + 100),
      finishedAt: new Date(queuedAt.getTime() + 350),
    },
  });
  const step = await db.stepRun.create({
    data: {
      organizationId,
      executionId: execution.id,
      seq: 0,
      name: "push to erp",
      status: "SUCCEEDED",
      output: { ok: true },
      startedAt: new Date(queuedAt.getTime() + 120),
      finishedAt: new Date(queuedAt.getTime() + 300),
    },
  });
  const log = await db.logEntry.create({
    data: { organizationId, executionId: execution.id, level: "INFO", message: `pushed ${label}`, stepName: step.name },
  });
  const exchange = await db.httpExchange.create({
    data: { organizationId, executionId: execution.id, stepName: step.name, method: "POST", url: "http://erp.test/orders", status: 201, durationMs: 12 },
  });

  const generated = generateApiKey();
  const apiKey = await db.apiKey.create({
    data: { organizationId, name: `Key ${label}`, prefix: generated.prefix, hash: generated.hash },
  });
  const { token: invitationToken, tokenHash } = newInvitationToken();
  const invitation = await db.invitation.create({
    data: { organizationId, email: `invitee@${tag}.test`, role: "SUPPORT", tokenHash, expiresAt: new Date(Date.now() + 86_400_000) },
  });
  const channel = await db.notificationChannel.create({
    data: { organizationId, name: "Ops", kind: "webhook", target: "not-a-real-ciphertext" },
  });
  const alertRule = await db.alertRule.create({
    data: { organizationId, name: "Failures", condition: { failures: 3 }, channelId: channel.id },
  });
  const alertEvent = await db.alertEvent.create({
    data: { organizationId, ruleId: alertRule.id, kind: "failures", instanceId: instance.id, message: "3 failures" },
  });
  const embedKey = await db.embedKey.create({
    data: { organizationId, name: "Vendor key", kid: `kid-${tag}`, alg: "ES256", publicKeyPem: "-----BEGIN PUBLIC KEY-----" },
  });

  return {
    organizationId,
    slug: org.slug,
    users,
    customer,
    app,
    integration,
    version,
    instance,
    webhook,
    connection,
    execution,
    step,
    log,
    exchange,
    apiKey: { id: apiKey.id, key: generated.key },
    invitation: { id: invitation.id, token: invitationToken },
    channel,
    alertRule,
    alertEvent,
    embedKey,
  };
}

/** A real tRPC context for one seeded member (what the route builds from the session cookie). */
export function contextFor(db: Db, userId: string, activeOrgId: string | null = null): Context {
  return createContext({ db, userId, activeOrgId });
}
