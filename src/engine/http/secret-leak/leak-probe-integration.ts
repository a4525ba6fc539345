import { defineIntegration, z } from "portico/sdk";

// Test integration for the secret-leak test: it passes a value from its payload (the same value
// as the connection's API key) through every channel a secret could escape by — query string,
// headers, JSON body, a remote that echoes it back, step results, logs, the run's result and a
// thrown error — so the test can grep every record for it.

type Payload = { id: string; echo: string; throwIt?: boolean };

export default defineIntegration({
  key: "leak-probe",
  name: "Leak probe",
  config: z.object({}),
  connections: { erp: { app: "erp", auth: "apiKey" } },
  flows: {
    probe: {
      name: "Probe",
      trigger: { webhook: {} },
      retry: { attempts: 3 },
      async run(ctx) {
        const p = ctx.trigger.payload as Payload;
        const http = ctx.http(ctx.connections.erp);
        const created = await ctx.step("push", async () => {
          const res = await http.post("/erp/api/sales-orders", {
            query: { api_key: p.echo, page: 1 },
            headers: { "X-Signature": p.echo, "X-Note": p.echo, "Idempotency-Key": `leak-${p.id}` },
            json: { externalId: p.id, lines: [{ sku: "A-1", quantity: 1 }], total: 1, note: p.echo },
          });
          // The ERP echoes the body back, note included.
          return res.json<{ id: string; note?: string }>();
        });
        const fetched = await ctx.step("fetch", async () => (await http.get(`/erp/api/sales-orders/${created.id}`)).json());
        ctx.log.info(`fetched ${created.id} with ${p.echo}`, { fetched, key: p.echo });
        if (p.throwIt) throw new Error(`integration bug while holding ${p.echo}`);
        return { created, fetched };
      },
    },
  },
});
