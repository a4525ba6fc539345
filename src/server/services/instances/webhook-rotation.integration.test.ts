import { describe, expect } from "vitest";
import type { Role } from "@/generated/prisma/client";
import { dbTest } from "@/test/db-test";
import type { Db } from "@/lib/db";
import { seedLab } from "@/engine/events/testing/seed-lab";
import { signPayload } from "@/engine/ingest/verify-signature";
import { seedOrdersInstance, startTestFront, type TestFront } from "@/engine/testing/walking-skeleton";
import { generateApiKey } from "@/lib/api-keys";
import { getSigningSecretEndpoint, rotateSigningSecretEndpoint, rotateWebhookUrlEndpoint } from "../../rest/endpoints/instance-webhooks";
import { toRouteHandler, type AnyEndpoint } from "../../rest/handler";
import { appRouter } from "../../routers/_app";
import { contextFor } from "../../testing/seed-tenant";
import { onWebhookEndpointChanged, type WebhookEndpointChange } from "./webhook-endpoint-changes";

const test = dbTest.extend<{ front: TestFront }>({
  front: async ({ db, redisUrl, redisPrefix }, use) => {
    const front = await startTestFront({ db, redisUrl, redisPrefix });
    await use(front);
    await front.close();
  },
});

async function member(db: Db, organizationId: string, role: Role) {
  const user = await db.user.create({ data: { email: `${role.toLowerCase()}-${organizationId}@lab.test` } });
  await db.member.create({ data: { organizationId, userId: user.id, role } });
  return appRouter.createCaller(contextFor(db, user.id));
}

async function post(front: TestFront, url: string, body: string, headers: Record<string, string> = {}) {
  const path = new URL(url).pathname;
  const res = await fetch(`${front.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return res.status;
}

function rest(db: Db, endpoint: AnyEndpoint, key: string, params: Record<string, string>) {
  let path = endpoint.path;
  for (const [k, v] of Object.entries(params)) path = path.replace(`{${k}}`, encodeURIComponent(v));
  const req = new Request(`http://localhost${path}`, { method: endpoint.method, headers: { authorization: `Bearer ${key}` } });
  return toRouteHandler(endpoint, () => ({ db }))(req, { params: Promise.resolve(params) });
}

describe("webhook URL and signing secret rotation", () => {
  test("a rotated URL answers 404 at once while the new one records runs; audited without the token; caches are told", async ({ db, front }) => {
    // The orders integration: one webhook flow, "onOrder", without signatures.
    const { org, instance } = await seedOrdersInstance(db, { sandboxUrl: "http://127.0.0.1:9" });
    const apiKey = generateApiKey();
    await db.apiKey.create({ data: { organizationId: org.id, name: "test", prefix: apiKey.prefix, hash: apiKey.hash } });
    const lab = { org, apiKey: apiKey.key };
    const builder = await member(db, lab.org.id, "BUILDER");
    const support = await member(db, lab.org.id, "SUPPORT");
    const before = await builder.instances.detail({ instanceId: instance.id });
    const oldUrl = before.webhooks.find((w) => w.flowKey === "onOrder")!.url;
    const oldToken = oldUrl.split("/").pop()!;
    expect(await post(front, oldUrl, "{}")).toBe(202);

    const changes: WebhookEndpointChange[] = [];
    const off = onWebhookEndpointChanged((c) => changes.push(c));
    await expect(support.instances.rotateWebhookUrl({ instanceId: instance.id, flowKey: "onOrder" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(builder.instances.rotateWebhookUrl({ instanceId: instance.id, flowKey: "nope" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const rotated = await builder.instances.rotateWebhookUrl({ instanceId: instance.id, flowKey: "onOrder" });
    off();

    expect(rotated.url).not.toBe(oldUrl);
    expect(changes).toEqual([{ token: oldToken, reason: "url-rotated" }]);
    expect(await post(front, oldUrl, "{}")).toBe(404); // no grace period
    expect(await post(front, rotated.url, "{}")).toBe(202);
    expect(await db.execution.count({ where: { instanceId: instance.id } })).toBe(2);
    const after = await builder.instances.detail({ instanceId: instance.id });
    expect(after.webhooks.find((w) => w.flowKey === "onOrder")).toMatchObject({ url: rotated.url, rotatedAt: rotated.rotatedAt });

    const audit = await db.auditLog.findMany({ where: { organizationId: lab.org.id, action: "webhook.urlRotated" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ targetId: instance.id, data: { flowKey: "onOrder" } });
    expect(JSON.stringify(audit)).not.toContain(rotated.url.split("/").pop()!);

    // The REST API rotates too (an API key acts for the organization).
    const res = await rest(db, rotateWebhookUrlEndpoint, lab.apiKey, { id: instance.id, flowKey: "onOrder" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { url: string };
    expect(await post(front, rotated.url, "{}")).toBe(404);
    expect(await post(front, body.url, "{}")).toBe(202);
  });

  test("builders reveal the signing secret (audited); after a rotation only the new secret's signatures are accepted", async ({ db, front }) => {
    const lab = await seedLab(db);
    const { instance } = await lab.deployFor("acme");
    const builder = await member(db, lab.org.id, "BUILDER");
    const support = await member(db, lab.org.id, "SUPPORT");
    const detail = await support.instances.detail({ instanceId: instance.id });
    const signed = detail.webhooks.find((w) => w.flowKey === "signed")!;
    expect(signed).toMatchObject({ hasSigningSecret: true, signature: { header: "x-signature", timestampHeader: "x-timestamp" } });
    expect(JSON.stringify(detail)).not.toContain("whsec_");

    await expect(support.instances.revealSigningSecret({ instanceId: instance.id, flowKey: "signed" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const revealed = await builder.instances.revealSigningSecret({ instanceId: instance.id, flowKey: "signed" });
    const deployed = instance.webhooks.find((w) => w.flowKey === "signed") as { signingSecret?: string };
    expect(revealed).toEqual({ flowKey: "signed", signingSecret: deployed.signingSecret });

    const body = JSON.stringify({ id: 1, total: 10 });
    const headers = (secret: string) => {
      const ts = String(Math.floor(Date.now() / 1000));
      return { "x-timestamp": ts, "x-signature": `v1=${signPayload(secret, Buffer.from(body), ts)}` };
    };
    expect(await post(front, signed.url, body, headers(revealed.signingSecret!))).toBe(202);

    const rotated = await builder.instances.rotateSigningSecret({ instanceId: instance.id, flowKey: "signed" });
    expect(rotated.signingSecret).toMatch(/^whsec_/);
    expect(rotated.signingSecret).not.toBe(revealed.signingSecret);
    expect(await post(front, signed.url, body, headers(revealed.signingSecret!))).toBe(401);
    expect(await post(front, signed.url, body, headers(rotated.signingSecret))).toBe(202);
    // Stored encrypted; the URL did not change.
    const row = await db.webhookEndpoint.findFirstOrThrow({ where: { instanceId: instance.id, flowKey: "signed" } });
    expect(row.signingSecret).not.toContain(rotated.signingSecret.slice(6));
    expect((await support.instances.detail({ instanceId: instance.id })).webhooks.find((w) => w.flowKey === "signed")!.url).toBe(signed.url);

    // REST reveals what the console revealed.
    const res = await rest(db, getSigningSecretEndpoint, lab.apiKey, { id: instance.id, flowKey: "signed" });
    expect(await res.json()).toEqual({ flowKey: "signed", signingSecret: rotated.signingSecret });
    const again = await rest(db, rotateSigningSecretEndpoint, lab.apiKey, { id: instance.id, flowKey: "signed" });
    expect(((await again.json()) as { signingSecret: string }).signingSecret).not.toBe(rotated.signingSecret);

    const actions = (await db.auditLog.findMany({ where: { organizationId: lab.org.id, action: { startsWith: "webhook." } }, orderBy: { at: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["webhook.signingSecretRevealed", "webhook.signingSecretRotated", "webhook.signingSecretRevealed", "webhook.signingSecretRotated"]);
    const audit = JSON.stringify(await db.auditLog.findMany({ where: { organizationId: lab.org.id } }));
    expect(audit).not.toContain("whsec_");
  });
});
