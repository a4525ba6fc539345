import { describe, expect } from "vitest";
import { hashApiKey } from "@/lib/api-keys";
import { dbTest } from "@/test/db-test";
import { listCustomersEndpoint } from "../../rest/endpoints/customers";
import { toRouteHandler } from "../../rest/handler";
import { appRouter } from "../../routers/_app";
import { contextFor, seedTenant } from "../../testing/seed-tenant";

describe("API keys", () => {
  dbTest("a new key is shown once, stored only as its SHA-256, and listed without secrets", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const owner = appRouter.createCaller(contextFor(db, a.users.OWNER.userId));
    const { id, key } = await owner.apiKeys.create({ name: "CI" });
    expect(key).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);

    const row = await db.apiKey.findUniqueOrThrow({ where: { id } });
    expect(row.hash).toBe(hashApiKey(key));
    expect(JSON.stringify(row)).not.toContain(key.slice(10));
    expect(row.prefix).toBe(key.slice(0, 10));

    const listed = (await owner.apiKeys.list()).find((k) => k.id === id);
    expect(listed).toEqual({ id, name: "CI", prefix: key.slice(0, 10), createdAt: row.createdAt, lastUsedAt: null, revokedAt: null });
    expect(JSON.stringify(await owner.apiKeys.list())).not.toContain(key.slice(10));

    const audit = await db.auditLog.findFirstOrThrow({ where: { organizationId: a.organizationId, action: "apiKey.created" } });
    expect(audit).toMatchObject({ actorType: "user", actorId: a.users.OWNER.userId, targetId: id });
  });

  dbTest("a key works on the REST API until revoked, then answers 401", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const owner = appRouter.createCaller(contextFor(db, a.users.OWNER.userId));
    const { id, key } = await owner.apiKeys.create({ name: "backend" });
    const handler = toRouteHandler(listCustomersEndpoint, () => ({ db }));
    const get = () =>
      handler(new Request("http://localhost/api/v1/customers", { headers: { authorization: `Bearer ${key}` } }), {
        params: Promise.resolve({}),
      });

    expect((await get()).status).toBe(200);
    expect((await db.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).toBeInstanceOf(Date);

    const revoked = await owner.apiKeys.revoke({ id });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    const res = await get();
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "UNAUTHENTICATED" } });

    // Revoking again is not an error and keeps the first time.
    expect(await owner.apiKeys.revoke({ id })).toEqual(revoked);
    expect(await db.auditLog.count({ where: { organizationId: a.organizationId, action: "apiKey.revoked" } })).toBe(1);
  });
});
