// Test support for upgrade and rollout tests: variants of the orders-to-erp example built from
// a modified copy of its source, published through the real service, and more instances of it.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildBundle, type BuiltBundle } from "@/engine/bundle/build-bundle";
import { ORDERS_ENTRY } from "@/engine/testing/walking-skeleton";
import { createConnection } from "../connections/create-connection";
import { deployInstance } from "../instances/deploy-instance";
import { publishVersion } from "../integrations/publish-version";
import type { OrgScope } from "../../tenancy/scope";

const source = () => readFileSync(ORDERS_ENTRY, "utf8");

/**
 * v2: `warehouse` renamed to `warehouseCode` (migrate carries the value over), the result says
 * which version ran, and a second webhook flow (a new webhook URL on upgrade).
 */
export function ordersV2Source(): string {
  let s = source();
  // A new field id too, so the value travels through migrate (keeping the id would carry it by itself).
  s = s.replace(
    'warehouse: configField(z.string().min(1).default("MAIN").describe("Warehouse code the ERP ships from"), {\n      id: "warehouse",',
    'warehouseCode: configField(z.string().min(1).describe("Warehouse code the ERP ships from"), {\n      id: "warehouseCode",',
  );
  s = s.replace("configOptions: {\n    warehouse: {", "configOptions: {\n    warehouseCode: {");
  s = s.replace("warehouse: ctx.config.warehouse,", "warehouse: ctx.config.warehouseCode,");
  s = s.replace("return { salesOrderId: created.id ?? null };", 'return { salesOrderId: created.id ?? null, ranVersion: 2 };');
  s = s.replace(
    "  flows: {\n",
    `  migrate: (old, fromVersion) => {
    if (fromVersion >= 2) return old;
    const { warehouse, ...rest } = old;
    return { ...rest, warehouseCode: warehouse ?? "MAIN" };
  },
  flows: {
    onRefund: { name: "Refund", trigger: { webhook: {} }, async run(ctx) { ctx.log.info("refund"); return { ranVersion: 2 }; } },
`,
  );
  if (!s.includes("ranVersion: 2 };") || !s.includes('id: "warehouseCode"') || !s.includes("    warehouseCode: {")) throw new Error("orders-to-erp changed: update ordersV2Source");
  return s;
}

/** A version whose migrate throws. */
export function ordersBrokenMigrateSource(): string {
  return source().replace("  flows: {\n", '  migrate: () => { throw new Error("no mapping for this warehouse"); },\n  flows: {\n');
}

/** A version with a new required field and no migrate: old configs cannot fit it. */
export function ordersRequiredFieldSource(): string {
  const s = source().replace("  config: z.object({\n", '  config: z.object({\n    priceList: z.string().min(1).describe("ERP price list"),\n');
  if (!s.includes("priceList")) throw new Error("orders-to-erp changed: update ordersRequiredFieldSource");
  return s;
}

const built = new Map<string, Promise<BuiltBundle>>();

/** Builds a source text as an integration bundle (cached per text for the test process). */
export function buildSource(text: string): Promise<BuiltBundle> {
  let hit = built.get(text);
  if (!hit) {
    const dir = mkdtempSync(path.join(tmpdir(), "portico-upgrade-"));
    const file = path.join(dir, "index.ts");
    writeFileSync(file, text);
    hit = buildBundle(file);
    built.set(text, hit);
  }
  return hit;
}

export async function publishSource(scope: OrgScope, text: string, changelog = "test") {
  return (await publishVersion(scope, { bundle: await buildSource(text), changelog })).version;
}

/** Another customer (with labels) of the org and an instance of `versionId` for it. */
export async function deployFor(scope: OrgScope, versionId: string, externalId: string, labels: string[] = [], config: Record<string, unknown> = {}) {
  const customer = await scope.db.customer.create({ data: { organizationId: scope.organizationId, externalId, name: externalId, labels } });
  const connection = await createConnection(scope, { customerId: customer.id, appKey: "erp", authType: "apiKey", credentials: { apiKey: "k" } });
  return deployInstance(scope, { customerId: customer.id, versionId, config, connections: { erp: connection.id } });
}
