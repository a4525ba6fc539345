import { describe, expect } from "vitest";
import { buildOrdersBundle } from "@/engine/testing/walking-skeleton";
import { dbTest } from "@/test/db-test";
import type { OrgScope } from "../../tenancy/scope";
import { publishVersion } from "./publish-version";

async function orgScope(db: OrgScope["db"]): Promise<OrgScope> {
  const org = await db.organization.create({ data: { name: "P", slug: `p-${Math.random().toString(36).slice(2)}` } });
  return { db, organizationId: org.id, actor: { type: "system" } };
}

describe("publishVersion", () => {
  dbTest("the first publish creates the integration and version 1; the same code again is a no-op", async ({ db }) => {
    const scope = await orgScope(db);
    const bundle = await buildOrdersBundle();
    const first = await publishVersion(scope, { bundle, changelog: "first" });
    expect(first.created).toBe(true);
    expect(first.version).toMatchObject({ number: 1, sha256: bundle.sha256, changelog: "first", publishedBy: "system" });
    expect(first.integration).toMatchObject({ key: "orders-to-erp", name: "Shop orders to ERP", category: "ERP" });
    expect("bundle" in first.version).toBe(false);

    const again = await publishVersion(scope, { bundle });
    expect(again.created).toBe(false);
    expect(again.version.id).toBe(first.version.id);
    expect(await db.integrationVersion.count()).toBe(1);
  });

  dbTest("changed code gets the next number", async ({ db }) => {
    const scope = await orgScope(db);
    const bundle = await buildOrdersBundle();
    await publishVersion(scope, { bundle });
    const code = `${bundle.code}\n// v2`;
    const { createHash } = await import("node:crypto");
    const second = await publishVersion(scope, { bundle: { ...bundle, code, sha256: createHash("sha256").update(code).digest("hex") } });
    expect(second).toMatchObject({ created: true, version: { number: 2 } });
  });

  dbTest("a bundle whose sha256 does not match its code is refused", async ({ db }) => {
    const scope = await orgScope(db);
    const bundle = await buildOrdersBundle();
    await expect(publishVersion(scope, { bundle: { ...bundle, sha256: "f".repeat(64) } })).rejects.toMatchObject({ code: "BAD_INPUT" });
    expect(await db.integration.count()).toBe(0);
  });
});
