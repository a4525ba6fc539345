import { createHash } from "node:crypto";
import { describe, expect } from "vitest";
import type { BuiltBundle } from "@/engine/bundle/build-bundle";
import { buildOrdersBundle } from "@/engine/testing/walking-skeleton";
import type { Db } from "@/lib/db";
import { dbTest } from "@/test/db-test";
import { seedTenant } from "../../testing/seed-tenant";
import { toRouteHandler, type AnyEndpoint } from "../handler";
import { listVersionsEndpoint, publishVersionEndpoint } from "./integration-versions";

// POST /api/v1/integrations/{key}/versions as the CLI calls it: real Request, real database.

type Body = { code: string; sha256: string; manifest: Record<string, unknown>; changelog?: string };

function call(db: Db, endpoint: AnyEndpoint, key: string, apiKey: string, body?: unknown) {
  const req = new Request(`http://localhost/api/v1/integrations/${key}/versions`, {
    method: endpoint.method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return toRouteHandler(endpoint, () => ({ db }))(req, { params: Promise.resolve({ key }) });
}

const upload = (b: BuiltBundle, changelog?: string): Body => ({
  code: b.code,
  sha256: b.sha256,
  manifest: b.manifest as unknown as Record<string, unknown>,
  ...(changelog !== undefined && { changelog }),
});

const withCode = (body: Body, code: string): Body => ({ ...body, code, sha256: createHash("sha256").update(code).digest("hex") });

async function rowCounts(db: Db) {
  return { integrations: await db.integration.count(), versions: await db.integrationVersion.count(), audit: await db.auditLog.count() };
}

describe("POST /api/v1/integrations/{key}/versions", () => {
  dbTest("publishes version 1 with its sha256, changelog and the API key as publisher; the same content again is a no-op", async ({ db }) => {
    const t = await seedTenant(db, "a"); // has the "erp" app orders-to-erp needs
    const bundle = await buildOrdersBundle();

    const first = await call(db, publishVersionEndpoint, "orders-to-erp", t.apiKey.key, upload(bundle, "First cut"));
    expect(first.status).toBe(201);
    const created = (await first.json()) as { created: boolean; message: string; version: Record<string, unknown> };
    expect(created).toMatchObject({
      created: true,
      message: "published orders-to-erp version 1",
      version: { number: 1, sha256: bundle.sha256, changelog: "First cut", status: "PUBLISHED", publishedBy: 'API key "Key a"' },
    });
    expect(created.version).not.toHaveProperty("bundle");
    const stored = await db.integrationVersion.findFirstOrThrow({ where: { sha256: bundle.sha256 } });
    expect(stored).toMatchObject({ publishedById: t.apiKey.id, bundle: bundle.code, organizationId: t.organizationId });

    const again = await call(db, publishVersionEndpoint, "orders-to-erp", t.apiKey.key, upload(bundle, "ignored"));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ created: false, message: "already published as version 1", version: { number: 1, changelog: "First cut" } });

    const changed = await call(db, publishVersionEndpoint, "orders-to-erp", t.apiKey.key, withCode(upload(bundle), `${bundle.code}\n// v2`));
    expect(changed.status).toBe(201);
    expect(await changed.json()).toMatchObject({ version: { number: 2 } });

    const list = await call(db, listVersionsEndpoint, "orders-to-erp", t.apiKey.key);
    expect(list.status).toBe(200);
    const items = ((await list.json()) as { items: { number: number; instanceCount: number }[] }).items;
    expect(items.map((v) => [v.number, v.instanceCount])).toEqual([
      [2, 0],
      [1, 0],
    ]);
  });

  dbTest("a bad upload is a 4xx with the exact reason, and nothing is stored", async ({ db }) => {
    const t = await seedTenant(db, "a");
    const bundle = await buildOrdersBundle();
    const good = upload(bundle);
    const m = bundle.manifest;
    const onOrder = m.flows.onOrder!;
    const cases: { body: Body; key?: string; status: number; message: string }[] = [
      {
        body: { ...good, manifest: { ...m, flows: { onOrder: { ...onOrder, trigger: { type: "schedule", cron: "61 * * * *" } } } } },
        status: 400,
        message: 'manifest: flows.onOrder.trigger.schedule.cron: "61 * * * *" is not a valid cron expression (Constraint error, got value 61 expected range 0-59)',
      },
      {
        body: { ...good, manifest: { ...m, flows: { onOrder, OnOrder: onOrder } } },
        status: 400,
        message: 'manifest: flows.OnOrder: duplicate flow key: "OnOrder" and "onOrder" differ only in case',
      },
      {
        body: { ...good, manifest: { ...m, connections: { erp: { app: "netsuite", auth: "apiKey" } } } },
        status: 400,
        message: 'manifest: connections.erp.app: unknown app "netsuite" (apps in this organization: erp)',
      },
      {
        body: { ...good, manifest: { ...m, configSchema: { type: "string" } } },
        status: 400,
        message: "manifest: config: must be an object schema (z.object(...)) whose JSON Schema has properties",
      },
      { body: good, key: "other-key", status: 400, message: 'manifest: key: "orders-to-erp" does not match the integration in the URL ("other-key")' },
      { body: { ...good, sha256: "f".repeat(64) }, status: 400, message: `sha256: ${"f".repeat(64)} is not the sha256 of the uploaded code (${bundle.sha256}); the upload was changed or cut short` },
      {
        body: withCode(good, `${bundle.code}\n//${"x".repeat(5 * 1024 * 1024)}`),
        status: 413,
        message: `bundle: is ${Buffer.byteLength(bundle.code) + 3 + 5 * 1024 * 1024} bytes, over the 5242880 byte limit (5 MiB)`,
      },
    ];

    const before = await rowCounts(db);
    for (const c of cases) {
      const res = await call(db, publishVersionEndpoint, c.key ?? "orders-to-erp", t.apiKey.key, c.body);
      const body = (await res.json()) as { error: { code: string; message: string; details?: unknown } };
      expect({ status: res.status, message: body.error.message }).toEqual({ status: c.status, message: c.message });
    }
    expect(await rowCounts(db)).toEqual(before);
  });

  dbTest("a body that is not an upload is 400 with zod's issues", async ({ db }) => {
    const t = await seedTenant(db, "a");
    const res = await call(db, publishVersionEndpoint, "orders-to-erp", t.apiKey.key, { code: "", sha256: "nope" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { details: { issues: { path: string[] }[] } } };
    expect(body.error.details.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["body.code", "body.sha256", "body.manifest"]));
  });

  dbTest("a published version's code cannot be changed, even straight in the database", async ({ db }) => {
    const t = await seedTenant(db, "a");
    const bundle = await buildOrdersBundle();
    await call(db, publishVersionEndpoint, "orders-to-erp", t.apiKey.key, upload(bundle));
    const version = await db.integrationVersion.findFirstOrThrow({ where: { sha256: bundle.sha256 } });
    await expect(db.integrationVersion.update({ where: { id: version.id }, data: { bundle: "module.exports = {}" } })).rejects.toThrow(/immutable/);
    await expect(db.integrationVersion.update({ where: { id: version.id }, data: { manifest: {} } })).rejects.toThrow(/immutable/);
    // Its status and changelog are bookkeeping, not code: they may change.
    await db.integrationVersion.update({ where: { id: version.id }, data: { changelog: "typo fixed", status: "DEPRECATED" } });
    expect((await db.integrationVersion.findUniqueOrThrow({ where: { id: version.id } })).bundle).toBe(bundle.code);
  });

  dbTest("another organization's integration is not found", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const b = await seedTenant(db, "b");
    await call(db, publishVersionEndpoint, "orders-to-erp", a.apiKey.key, upload(await buildOrdersBundle()));
    expect((await call(db, listVersionsEndpoint, "orders-to-erp", b.apiKey.key)).status).toBe(404);
  });
});
