import { describe, expect, expectTypeOf, it } from "vitest";
import { configField, configFieldOptions, defineIntegration, z } from "@/sdk";

describe("configField", () => {
  it("keeps the schema's type and reads its id, page and title back through .default()", () => {
    const warehouse = configField(z.string().describe("Warehouse code"), { id: "wh", page: "shipping", title: "Warehouse" }).default("MAIN");
    expectTypeOf(warehouse.parse(undefined)).toEqualTypeOf<string>();
    expect(warehouse.parse(undefined)).toBe("MAIN");
    expect(configFieldOptions(warehouse)).toEqual({ id: "wh", page: "shipping", title: "Warehouse" });
    // The description survives: metadata is inherited by the clone.
    expect(z.toJSONSchema(warehouse, { io: "input" })).toMatchObject({ description: "Warehouse code", title: "Warehouse" });
    expect(configFieldOptions(z.string())).toEqual({});
  });

  it("types options loaders: the field and its dependencies are config keys, the connection a declared one", () => {
    defineIntegration({
      key: "typed-options",
      name: "Typed options",
      config: z.object({ region: z.enum(["DE", "AT"]).default("DE"), warehouse: z.string(), limit: z.number().optional() }),
      connections: { erp: { app: "erp", auth: "apiKey" } },
      configOptions: {
        warehouse: {
          connection: "erp",
          dependsOn: ["region"],
          async load(ctx) {
            // Filled so far: every field may still be missing.
            expectTypeOf(ctx.config.region).toEqualTypeOf<"DE" | "AT" | undefined>();
            expectTypeOf(ctx.connections.erp.key).toEqualTypeOf<"erp">();
            // @ts-expect-error -- "shop" is not a declared connection
            void ctx.connections.shop;
            const res = await ctx.http(ctx.connections.erp).get("/warehouses");
            return res.json<{ code: string }[]>().map((w) => ({ value: w.code, label: w.code }));
          },
        },
      },
      flows: { f: { trigger: { manual: true }, run: () => 1 } },
    });

    defineIntegration({
      key: "bad-options",
      name: "Bad options",
      config: z.object({ warehouse: z.string() }),
      connections: { erp: { app: "erp", auth: "apiKey" } },
      configOptions: {
        warehouse: {
          // @ts-expect-error -- options must come through a declared connection
          connection: "crm",
          // @ts-expect-error -- dependsOn names config fields
          dependsOn: ["nope"],
          // @ts-expect-error -- an option needs a label
          load: () => [{ value: "MAIN" }],
        },
      },
      flows: { f: { trigger: { manual: true }, run: () => 1 } },
    });

    defineIntegration({
      key: "unknown-field",
      name: "Unknown field",
      config: z.object({ warehouse: z.string() }),
      connections: { erp: { app: "erp", auth: "apiKey" } },
      configOptions: {
        // @ts-expect-error -- not a config field
        nope: { connection: "erp", load: () => [] },
      },
      flows: { f: { trigger: { manual: true }, run: () => 1 } },
    });
  });
});
