import { describe, expect } from "vitest";
import { createDb, type Db } from "@/lib/db";
import { dbTest } from "@/test/db-test";
import { seedTenant } from "../testing/seed-tenant";
import {
  deleteCustomerEndpoint,
  getCustomerEndpoint,
  listCustomersEndpoint,
  updateCustomerEndpoint,
  upsertCustomerEndpoint,
} from "./endpoints/customers";
import { getExecutionEndpoint, listExecutionsEndpoint } from "./endpoints/executions";
import { getInstanceEndpoint } from "./endpoints/instances";
import { toRouteHandler, type AnyEndpoint } from "./handler";

// The REST route handlers called as Next calls them: a real Request and the params promise.

function send(
  db: Db,
  endpoint: AnyEndpoint,
  opts: { key?: string; params?: Record<string, string>; query?: string; body?: unknown; rawBody?: string } = {},
) {
  let path = endpoint.path;
  for (const [name, value] of Object.entries(opts.params ?? {})) path = path.replace(`{${name}}`, encodeURIComponent(value));
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const req = new Request(`http://localhost${path}${opts.query ? `?${opts.query}` : ""}`, {
    method: endpoint.method,
    headers: {
      ...(opts.key && { authorization: `Bearer ${opts.key}` }),
      ...(body !== undefined && { "content-type": "application/json" }),
      "x-request-id": "req-test-1",
    },
    body,
  });
  return toRouteHandler(endpoint, () => ({ db }))(req, { params: Promise.resolve(opts.params ?? {}) });
}

describe("REST API v1", () => {
  dbTest("no API key, or a made-up one, is 401 UNAUTHENTICATED", async ({ db }) => {
    for (const key of [undefined, "pk_madeup", "not-even-a-key"]) {
      const res = await send(db, listCustomersEndpoint, { key });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: "UNAUTHENTICATED", message: expect.any(String) } });
    }
  });

  dbTest("bad input is 400 BAD_INPUT with zod's issues in details", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const res = await send(db, upsertCustomerEndpoint, { key: a.apiKey.key, body: { externalId: "has space", labels: "vip" } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { issues: { path: unknown[] }[] } } };
    expect(body.error.code).toBe("BAD_INPUT");
    expect(body.error.details.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        ["body", "externalId"],
        ["body", "labels"],
      ]),
    );

    const query = await send(db, listExecutionsEndpoint, { key: a.apiKey.key, query: "limit=500&since=yesterday&status=MAYBE" });
    expect(query.status).toBe(400);
    const paths = ((await query.json()) as typeof body).error.details.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining([["query", "limit"], ["query", "since"], ["query", "status"]]));

    const notJson = await send(db, upsertCustomerEndpoint, { key: a.apiKey.key, rawBody: "{nope" });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: "BAD_INPUT" } });
  });

  dbTest("customers: POST upserts by externalId, GET/PATCH/DELETE address it", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const key = a.apiKey.key;
    const created = await send(db, upsertCustomerEndpoint, { key, body: { externalId: "acct_42", name: "Globex" } });
    expect(created.status).toBe(201);
    const customer = (await created.json()) as Record<string, unknown>;
    expect(customer).toMatchObject({ externalId: "acct_42", name: "Globex", labels: [], instanceCount: 0 });
    expect(customer.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const again = await send(db, upsertCustomerEndpoint, { key, body: { externalId: "acct_42", labels: ["gold"] } });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: customer.id, name: "Globex", labels: ["gold"] });

    const patched = await send(db, updateCustomerEndpoint, { key, params: { externalId: "acct_42" }, body: { name: "Globex Corp" } });
    expect(await patched.json()).toMatchObject({ name: "Globex Corp", labels: ["gold"] });

    const got = await send(db, getCustomerEndpoint, { key, params: { externalId: "acct_42" } });
    expect(await got.json()).toMatchObject({ id: customer.id, name: "Globex Corp" });

    const deleted = await send(db, deleteCustomerEndpoint, { key, params: { externalId: "acct_42" } });
    expect(deleted.status).toBe(204);
    expect((await send(db, getCustomerEndpoint, { key, params: { externalId: "acct_42" } })).status).toBe(404);
    const list = (await (await send(db, listCustomersEndpoint, { key })).json()) as { items: { externalId: string }[] };
    expect(list.items.map((c) => c.externalId)).toEqual([a.customer.externalId]);

    // Upserting a deleted customer brings it back (201: it was gone).
    expect((await send(db, upsertCustomerEndpoint, { key, body: { externalId: "acct_42" } })).status).toBe(201);
  });

  dbTest("deleting a customer deletes its instances but keeps its run history", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const res = await send(db, deleteCustomerEndpoint, { key: a.apiKey.key, params: { externalId: a.customer.externalId } });
    expect(res.status).toBe(204);
    expect(await db.instance.findUniqueOrThrow({ where: { id: a.instance.id } })).toMatchObject({ status: "DELETED" });
    expect((await send(db, getInstanceEndpoint, { key: a.apiKey.key, params: { id: a.instance.id } })).status).toBe(404);
    expect((await send(db, getExecutionEndpoint, { key: a.apiKey.key, params: { id: a.execution.id } })).status).toBe(200);
  });

  dbTest("executions: filters, cursor pages and the detail with steps", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const base = a.execution;
    // 4 more runs, 1 s apart, newest last
    for (let i = 1; i <= 4; i++) {
      await db.execution.create({
        data: {
          organizationId: a.organizationId,
          instanceId: base.instanceId,
          customerId: base.customerId,
          versionId: base.versionId,
          flowKey: "onOrder",
          triggerType: "WEBHOOK",
          status: i % 2 ? "FAILED" : "SUCCEEDED",
          reference: `R-${i}`,
          queuedAt: new Date(base.queuedAt.getTime() + i * 1000),
        },
      });
    }
    type Page = { items: { id: string; reference: string | null; queuedAt: string }[]; nextCursor: string | null };
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = (await (await send(db, listExecutionsEndpoint, { key: a.apiKey.key, query })).json()) as Page;
      seen.push(...page.items.map((e) => e.reference ?? ""));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["R-4", "R-3", "R-2", "R-1", base.reference]);

    const failed = (await (await send(db, listExecutionsEndpoint, { key: a.apiKey.key, query: "status=FAILED" })).json()) as Page;
    expect(failed.items.map((e) => e.reference)).toEqual(["R-3", "R-1"]);
    const byRef = (await (
      await send(db, listExecutionsEndpoint, {
        key: a.apiKey.key,
        query: `reference=R-2&customer=${a.customer.externalId}&instance=${a.instance.id}`,
      })
    ).json()) as Page;
    expect(byRef.items.map((e) => e.reference)).toEqual(["R-2"]);
    const since = new Date(base.queuedAt.getTime() + 2500).toISOString();
    const recent = (await (await send(db, listExecutionsEndpoint, { key: a.apiKey.key, query: `since=${since}` })).json()) as Page;
    expect(recent.items.map((e) => e.reference)).toEqual(["R-4", "R-3"]);

    const detail = await send(db, getExecutionEndpoint, { key: a.apiKey.key, params: { id: base.id } });
    expect(await detail.json()).toMatchObject({
      id: base.id,
      status: "SUCCEEDED",
      durationMs: 250,
      customer: { externalId: a.customer.externalId },
      steps: [{ seq: 0, name: "push to erp", status: "SUCCEEDED", durationMs: 180 }],
    });
  });

  dbTest("an unexpected failure is 500 INTERNAL with a fixed message and the request id, nothing more", async () => {
    // A database nobody listens on: the failure is real, not a mock.
    const unreachable = createDb("postgresql://nobody:secret@127.0.0.1:9/none");
    try {
      const res = await send(unreachable, listCustomersEndpoint, { key: "pk_whatever" });
      expect(res.status).toBe(500);
      const body = await res.json();
      expect(body).toEqual({ error: { code: "INTERNAL", message: "Internal error", details: { requestId: "req-test-1" } } });
      expect(res.headers.get("x-request-id")).toBe("req-test-1");
    } finally {
      await unreachable.$disconnect();
    }
  });
});
