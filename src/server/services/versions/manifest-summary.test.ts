import { describe, expect, it } from "vitest";
import { extractManifest } from "@/engine/bundle/manifest";
import { configField, defineIntegration, z } from "@/sdk";
import type { AnyIntegration } from "@/sdk";
import { summarizeManifest } from "./manifest-summary";

describe("manifest summary", () => {
  it("shows each config field on its wizard page, with its stable id and where its choices come from", () => {
    const def = defineIntegration({
      key: "paged",
      name: "Paged",
      config: z.object({
        account: configField(z.string().default("WEB").describe("Account"), { page: "booking" }),
        region: configField(z.enum(["DE", "AT"]).optional(), { page: "shipping" }),
        warehouseCode: configField(z.string(), { id: "warehouse", page: "shipping" }),
      }),
      configPages: [
        { key: "booking", title: "Booking" },
        { key: "shipping", title: "Shipping" },
      ],
      connections: { erp: { app: "erp", auth: "apiKey" } },
      configOptions: { warehouseCode: { connection: "erp", dependsOn: ["region"], load: () => [] } },
      flows: { f: { trigger: { manual: true }, run: () => 1 } },
    });
    const summary = summarizeManifest(extractManifest(def as unknown as AnyIntegration));
    expect(summary.configPages).toEqual([
      { key: "booking", title: "Booking" },
      { key: "shipping", title: "Shipping" },
    ]);
    expect(summary.configFields).toEqual([
      { key: "account", type: "string", description: "Account", required: false, default: "WEB", id: "account", page: "Booking" },
      { key: "region", type: "choice", description: null, required: false, choices: ["DE", "AT"], id: "region", page: "Shipping" },
      {
        key: "warehouseCode",
        type: "string",
        description: null,
        required: true,
        id: "warehouse",
        page: "Shipping",
        optionsFrom: { connection: "erp", dependsOn: ["region"] },
      },
    ]);
  });

  it("puts every field on one Settings page when the builder declared no pages", () => {
    const def = defineIntegration({
      key: "flat",
      name: "Flat",
      config: z.object({ a: z.string(), b: z.number().default(1) }),
      flows: { f: { trigger: { manual: true }, run: () => 1 } },
    });
    const summary = summarizeManifest(extractManifest(def as unknown as AnyIntegration));
    expect(summary.configPages.map((p) => p.title)).toEqual(["Settings"]);
    expect(summary.configFields.map((f) => [f.key, f.page])).toEqual([
      ["a", "Settings"],
      ["b", "Settings"],
    ]);
  });
});
