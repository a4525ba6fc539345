import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { buildBundle } from "./build-bundle";
import { evaluateBundle, loadBundle } from "./load-bundle";

const ORDERS = path.resolve(__dirname, "../../../integrations/orders-to-erp/index.ts");

function integrationFile(source: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "portico-bundle-"));
  const file = path.join(dir, "index.ts");
  writeFileSync(file, source);
  return file;
}

const flows = (trigger: string) => `flows: { f: { trigger: ${trigger}, run: async () => 1 } }`;

describe("buildBundle", () => {
  it("bundles the example integration with its manifest", async () => {
    const built = await buildBundle(ORDERS);
    expect(built.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(built.code).toContain('require("portico/sdk")');
    expect(built.manifest).toMatchObject({
      key: "orders-to-erp",
      connections: { erp: { app: "erp", auth: "apiKey" } },
      flows: { onOrder: { trigger: { type: "webhook" }, retry: { attempts: 3 } } },
      configSchema: { type: "object", properties: { warehouse: { type: "string", default: "MAIN" } } },
    });
  });

  it("gives the same sha256 for the same source, so publishing it twice is a no-op", async () => {
    expect((await buildBundle(ORDERS)).sha256).toBe((await buildBundle(ORDERS)).sha256);
  });

  it("rejects an invalid cron with the file and the field", async () => {
    const file = integrationFile(
      `import { defineIntegration, z } from "portico/sdk";
       export default defineIntegration({ key: "bad-cron", name: "B", config: z.object({}), ${flows(`{ schedule: { cron: "every day" } }`)} });`,
    );
    const err = await buildBundle(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toContain(file);
    expect((err as AppError).message).toContain("flows.f.trigger.schedule");
  });

  it("rejects a config schema that cannot become a form", async () => {
    const file = integrationFile(
      `import { defineIntegration, z } from "portico/sdk";
       export default defineIntegration({ key: "bad-config", name: "B", config: z.object({ when: z.date() }), ${flows("{ manual: true }")} });`,
    );
    await expect(buildBundle(file)).rejects.toThrow(/config\.when: cannot be turned into a form/);
  });

  it("rejects a file that does not export an integration", async () => {
    await expect(buildBundle(integrationFile("export default { hello: 1 };"))).rejects.toThrow(/not a defineIntegration/);
  });
});

describe("loadBundle", () => {
  it("evaluates once per sha256 and hands the bundle the host's zod and SDK", async () => {
    const built = await buildBundle(ORDERS);
    const a = loadBundle(built);
    expect(loadBundle(built)).toBe(a);
    const { z } = await import("zod");
    expect(a.config).toBeInstanceOf(z.ZodObject);
  });

  it("refuses code whose hash is not the stored sha256", async () => {
    const built = await buildBundle(ORDERS);
    expect(() => loadBundle({ sha256: "0".repeat(64), code: built.code })).toThrow(/sha256 mismatch/);
  });

  it("only lets bundles require zod and portico/sdk", () => {
    expect(() => evaluateBundle('require("fs");', "x.js")).toThrow(/may only import zod and portico\/sdk/);
  });
});
