import { describe, expect } from "vitest";
import { seedOrdersInstance } from "@/engine/testing/walking-skeleton";
import { dbTest } from "@/test/db-test";
import { appRouter } from "../../routers/_app";
import { contextFor, seedTenant } from "../../testing/seed-tenant";
import { getInstanceSetup } from "./get-instance-setup";
import { updateInstanceConfig } from "./update-instance-config";

describe("updateInstanceConfig", () => {
  dbTest("saves a config the version's schema accepts, with defaults applied, and audits which keys changed", async ({ db }) => {
    const { scope, instance } = await seedOrdersInstance(db, { sandboxUrl: "http://127.0.0.1:9" });
    const updated = await updateInstanceConfig(scope, { instanceId: instance.id, config: { warehouse: "BER-1" }, name: "Orders (Berlin)" });
    expect(updated.config).toEqual({ warehouse: "BER-1", customerAccount: "WEBSHOP" });
    expect(updated.name).toBe("Orders (Berlin)");
    const audit = await db.auditLog.findFirstOrThrow({ where: { action: "instance.configUpdated", targetId: instance.id } });
    expect(audit.data).toMatchObject({ changed: ["warehouse"], renamed: true });
    // Webhook URLs are untouched by a config edit.
    expect((await db.webhookEndpoint.findMany({ where: { instanceId: instance.id } })).map((w) => w.token)).toEqual([instance.webhooks[0]!.token]);
  });

  dbTest("refuses a config the schema rejects with the field it names, and keeps the old one", async ({ db }) => {
    const { scope, instance } = await seedOrdersInstance(db, { sandboxUrl: "http://127.0.0.1:9" });
    await expect(updateInstanceConfig(scope, { instanceId: instance.id, config: { warehouse: "" } })).rejects.toMatchObject({
      code: "BAD_INPUT",
      details: { issues: [{ path: "warehouse" }] },
    });
    expect((await db.instance.findUniqueOrThrow({ where: { id: instance.id } })).config).toEqual({ warehouse: "MAIN", customerAccount: "WEBSHOP" });
    expect(await db.auditLog.count({ where: { action: "instance.configUpdated" } })).toBe(0);
  });

  dbTest("the wizard's setup of an instance has its version, saved config and connection bindings", async ({ db }) => {
    const { scope, instance, version, connection, customer } = await seedOrdersInstance(db, { sandboxUrl: "http://127.0.0.1:9" });
    expect(await getInstanceSetup(scope, instance.id)).toMatchObject({
      id: instance.id,
      customer: { id: customer.id },
      version: { id: version.id, number: 1 },
      config: { warehouse: "MAIN" },
      connections: { erp: connection.id },
    });
  });

  dbTest("support may look but not edit: updateConfig needs BUILDER", async ({ db }) => {
    const t = await seedTenant(db, "a");
    const caller = appRouter.createCaller(contextFor(db, t.users.SUPPORT.userId));
    await expect(caller.instances.updateConfig({ instanceId: t.instance.id, config: {} })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
