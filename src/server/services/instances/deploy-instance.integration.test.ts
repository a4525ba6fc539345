import { describe, expect } from "vitest";
import { seedOrdersInstance } from "@/engine/testing/walking-skeleton";
import { dbTest } from "@/test/db-test";
import { deployInstance } from "./deploy-instance";

describe("deployInstance", () => {
  dbTest("deploys with validated config, connection bindings and one unguessable webhook token per webhook flow", async ({ db }) => {
    const { instance, connection } = await seedOrdersInstance(db, { sandboxUrl: "http://127.0.0.1:9" });
    expect(instance.status).toBe("ACTIVE");
    expect(instance.config).toEqual({ warehouse: "MAIN", customerAccount: "WEBSHOP" }); // defaults applied
    expect(instance.webhooks).toHaveLength(1);
    expect(instance.webhooks[0]!.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await db.instanceConnection.findMany({ where: { instanceId: instance.id }, select: { key: true, connectionId: true } })).toEqual([
      { key: "erp", connectionId: connection.id },
    ]);
  });

  dbTest("refuses config the integration's schema rejects, and a missing connection", async ({ db }) => {
    const { scope, customer, version, connection } = await seedOrdersInstance(db, { sandboxUrl: "http://127.0.0.1:9" });
    await expect(
      deployInstance(scope, { customerId: customer.id, versionId: version.id, config: { warehouse: "" }, connections: { erp: connection.id } }),
    ).rejects.toMatchObject({ code: "BAD_INPUT", details: { issues: [{ path: "warehouse" }] } });
    await expect(deployInstance(scope, { customerId: customer.id, versionId: version.id, config: {}, connections: {} })).rejects.toMatchObject({
      code: "BAD_INPUT",
    });
  });

  dbTest("another organization's version or connection is NOT_FOUND", async ({ db }) => {
    const a = await seedOrdersInstance(db, { sandboxUrl: "http://127.0.0.1:9" });
    const b = await seedOrdersInstance(db, { sandboxUrl: "http://127.0.0.1:9" });
    await expect(
      deployInstance(a.scope, { customerId: a.customer.id, versionId: b.version.id, config: {}, connections: { erp: a.connection.id } }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      deployInstance(a.scope, { customerId: a.customer.id, versionId: a.version.id, config: {}, connections: { erp: b.connection.id } }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
