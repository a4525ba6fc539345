import { defineIntegration, z } from "portico/sdk";

// Flows for the third-party-fault and content-kind tests (reliability plan §3.5/§3.6): a write
// with a retry budget that outlasts a short ERP outage, a read of a response that may be too
// large, and a probe of what a flow sees of a webhook body. Built with buildBundle by the tests.

export default defineIntegration({
  key: "remote-faults",
  name: "Remote faults",
  config: z.object({}),
  connections: { erp: { app: "erp", auth: "apiKey" } },
  flows: {
    // T2: 12 attempts of doubling backoff (from the executor's base delay) outlast the outage.
    burst: {
      trigger: { webhook: {} },
      retry: { attempts: 12, maxDelayMs: 60_000 },
      async run(ctx) {
        const { id } = ctx.trigger.payload as { id: string };
        return ctx.step("push to ERP", async () => {
          const res = await ctx.http(ctx.connections.erp).post("/erp/api/sales-orders", {
            json: { externalId: `burst-${id}`, lines: [{ sku: "A-1", quantity: 1 }], total: 1 },
          });
          return { salesOrderId: res.json<{ id: string }>().id };
        });
      },
    },
    // T6: a read whose answer may be past the executor's response cap.
    fetchWarehouses: {
      trigger: { webhook: {} },
      async run(ctx) {
        return ctx.step("fetch warehouses", async () => {
          const res = await ctx.http(ctx.connections.erp).get("/erp/api/warehouses");
          return { count: res.json<{ data: unknown[] }>().data.length };
        });
      },
    },
    // I2: what the flow sees of the body it was sent.
    probe: {
      trigger: { webhook: {} },
      retry: { attempts: 1 },
      run(ctx) {
        const payload = ctx.trigger.payload;
        // NULs as the flow saw them (the stored result has them as U+FFFD: jsonb holds no NUL).
        const nuls = typeof payload === "string" ? payload.split("\u0000").length - 1 : 0;
        return { contentType: ctx.trigger.contentType, kind: payload === null ? "null" : typeof payload, length: typeof payload === "string" ? payload.length : null, nuls, payload };
      },
    },
  },
});
