import { describe, expect } from "vitest";
import { connectionSecretContext } from "@/engine/connection-secret";
import { decryptJson } from "@/lib/crypto";
import { dbTest } from "@/test/db-test";
import type { OrgScope } from "../../tenancy/scope";
import { createConnection } from "./create-connection";

async function setup(db: OrgScope["db"]) {
  const org = await db.organization.create({ data: { name: "C", slug: `c-${Math.random().toString(36).slice(2)}` } });
  const scope: OrgScope = { db, organizationId: org.id, actor: { type: "system" } };
  const customer = await db.customer.create({ data: { organizationId: org.id, externalId: "c1" } });
  await db.app.create({ data: { organizationId: org.id, key: "erp", name: "ERP", baseUrl: "http://127.0.0.1:9", authType: "API_KEY" } });
  return { scope, customer };
}

describe("createConnection", () => {
  dbTest("stores the credentials encrypted, bound to the row, and never returns them", async ({ db }) => {
    const { scope, customer } = await setup(db);
    const conn = await createConnection(scope, { customerId: customer.id, appKey: "erp", authType: "apiKey", credentials: { apiKey: "super-secret-key-123" } });
    expect(conn).toMatchObject({ appKey: "erp", authType: "API_KEY", status: "ACTIVE" });
    expect("secret" in conn).toBe(false);

    const row = await db.connection.findUniqueOrThrow({ where: { id: conn.id } });
    expect(row.secret).not.toContain("super-secret-key-123");
    expect(await decryptJson(db, scope.organizationId, row.secret, { context: connectionSecretContext(conn.id) })).toEqual({ apiKey: "super-secret-key-123" });
    expect(JSON.stringify(await db.auditLog.findMany())).not.toContain("super-secret-key-123");
  });

  dbTest("refuses credentials that do not fit the auth type, without echoing them", async ({ db }) => {
    const { scope, customer } = await setup(db);
    const err = await createConnection(scope, { customerId: customer.id, appKey: "erp", authType: "API_KEY", credentials: { token: "leaky-value-999" } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BAD_INPUT" });
    expect(String((err as Error).message)).not.toContain("leaky-value-999");
  });

  dbTest("an unknown app or another org's customer is refused", async ({ db }) => {
    const { scope, customer } = await setup(db);
    await expect(createConnection(scope, { customerId: customer.id, appKey: "nope", authType: "none", credentials: {} })).rejects.toMatchObject({ code: "BAD_INPUT" });
    const other = await setup(db);
    await expect(createConnection(scope, { customerId: other.customer.id, appKey: "erp", authType: "none", credentials: {} })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
