import { describe, expect, expectTypeOf, it } from "vitest";
import { AuthError, ConfigError, defineIntegration, InvalidDataError, isIntegration, RateLimitedError, RemoteUnavailableError, z } from "@/sdk";

describe("defineIntegration", () => {
  it("returns the definition, branded so the loader can recognise it", () => {
    const def = defineIntegration({
      key: "demo",
      name: "Demo",
      config: z.object({ warehouse: z.string().default("MAIN") }),
      connections: { erp: { app: "erp", auth: "apiKey" } },
      flows: { onOrder: { trigger: { webhook: {} }, run: async () => "ok" } },
    });
    expect(isIntegration(def)).toBe(true);
    expect(isIntegration({ key: "demo" })).toBe(false);
    expect(def.flows.onOrder?.trigger).toEqual({ webhook: {} });
  });

  it("types ctx.config from the schema and offers only declared connections", () => {
    defineIntegration({
      key: "typed",
      name: "Typed",
      config: z.object({ warehouse: z.string().default("MAIN"), limit: z.number().optional() }),
      connections: { erp: { app: "erp", auth: "apiKey" }, shop: { app: "acme-shop", auth: "oauth2" } },
      flows: {
        sync: {
          trigger: { schedule: { cron: "*/15 * * * *", timezone: "Europe/Berlin" } },
          async run(ctx) {
            expectTypeOf(ctx.config.warehouse).toEqualTypeOf<string>();
            expectTypeOf(ctx.config.limit).toEqualTypeOf<number | undefined>();
            expectTypeOf(ctx.connections.erp.key).toEqualTypeOf<"erp">();
            // @ts-expect-error -- "crm" is not a declared connection
            void ctx.connections.crm;
            // @ts-expect-error -- not a config field
            void ctx.config.nope;
            const res = await ctx.http(ctx.connections.shop).get("/orders", { query: { page: 1 } });
            expectTypeOf(res.json<{ id: string }>()).toEqualTypeOf<{ id: string }>();
            const n = await ctx.step("count", () => 3);
            expectTypeOf(n).toEqualTypeOf<number>();
          },
        },
      },
    });
  });
});

describe("error classes", () => {
  it("carry the class the engine decides with", () => {
    expect(new AuthError("x").errorClass).toBe("AUTH");
    expect(new RateLimitedError("x", { retryAfterMs: 2000 }).retryAfterMs).toBe(2000);
    expect(new RemoteUnavailableError("x", { status: 503, app: "erp" })).toMatchObject({ errorClass: "REMOTE_UNAVAILABLE", status: 503, app: "erp" });
    expect(new InvalidDataError("x").errorClass).toBe("INVALID_DATA");
    expect(new ConfigError("x")).toBeInstanceOf(Error);
  });
});
