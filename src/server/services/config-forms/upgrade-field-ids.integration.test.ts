import { readFileSync } from "node:fs";
import { describe, expect } from "vitest";
import { ORDERS_ENTRY, seedOrdersInstance } from "@/engine/testing/walking-skeleton";
import { dbTest } from "@/test/db-test";
import { upgradeInstance } from "../instances/upgrade-instance";
import { deployFor, publishSource } from "../versions/upgrade-fixtures";

// Issue 3: a stable id per config field keeps the customer's value when a later version renames
// the field's key, on upgrade and on rollback, without any migrate.

/** orders-to-erp with `warehouse` renamed to `warehouseCode`, keeping the field's id; no migrate. */
function renamedKeepingId(): string {
  const s = readFileSync(ORDERS_ENTRY, "utf8")
    .replace('    warehouse: configField(z.string().min(1).default("MAIN")', '    warehouseCode: configField(z.string().min(1).default("MAIN")')
    .replace("configOptions: {\n    warehouse: {", "configOptions: {\n    warehouseCode: {")
    .replace("warehouse: ctx.config.warehouse,", "warehouse: ctx.config.warehouseCode,");
  if (!s.includes("    warehouseCode: configField(") || !s.includes("    warehouseCode: {") || s.includes("migrate"))
    throw new Error("orders-to-erp changed: update renamedKeepingId");
  return s;
}

const NOWHERE = { sandboxUrl: "http://127.0.0.1:9" };

describe("config field ids across versions", () => {
  dbTest("an upgrade carries a renamed field's value by its id, and the rollback brings it back under the old key", async ({ db }) => {
    const { scope, instance } = await seedOrdersInstance(db, NOWHERE);
    await db.instance.update({ where: { id: instance.id }, data: { config: { warehouse: "VIE-1", customerAccount: "ACME", region: "AT" } } });
    const v2 = await publishSource(scope, renamedKeepingId());

    const up = await upgradeInstance(scope, { instanceId: instance.id, versionId: v2.id });
    expect(up.config).toEqual({ warehouseCode: "VIE-1", customerAccount: "ACME", region: "AT" });

    const back = await upgradeInstance(scope, { instanceId: instance.id, version: 1 });
    expect(back.config).toEqual({ warehouse: "VIE-1", customerAccount: "ACME", region: "AT" });
  });

  dbTest("an instance that started on the newer version rolls back with its value mapped by id too", async ({ db }) => {
    const { scope } = await seedOrdersInstance(db, NOWHERE);
    const v2 = await publishSource(scope, renamedKeepingId());
    const born = await deployFor(scope, v2.id, "born-on-v2", [], { warehouseCode: "HAM-2" });

    const back = await upgradeInstance(scope, { instanceId: born.id, version: 1 });
    expect(back.config).toMatchObject({ warehouse: "HAM-2" });
    expect(back.config).not.toHaveProperty("warehouseCode");
  });
});
