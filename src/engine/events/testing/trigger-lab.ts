import { AuthError, defineIntegration, InvalidDataError, z } from "portico/sdk";

// Test integration for the trigger and run-control tests (events, manual runs, replay, ordering,
// breaker, signatures). Bundled with esbuild and published like any other integration.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export default defineIntegration({
  key: "trigger-lab",
  name: "Trigger lab",
  config: z.object({}),
  connections: { erp: { app: "erp", auth: "apiKey" } },
  flows: {
    onOrderCreated: {
      trigger: { event: "order.created" },
      async run(ctx) {
        return ctx.step("echo", () => ctx.trigger.payload);
      },
    },
    onItem: {
      trigger: { event: "seq.item" },
      orderingKey: (payload) => (payload as { key?: string }).key,
      async run(ctx) {
        const item = ctx.trigger.payload as { key: string; n: number };
        await ctx.step("apply in order", async () => {
          const last = ((await ctx.state.get<number>(`last:${item.key}`)) ?? 0) as number;
          await sleep(30); // long enough for a second run of the key to interleave, were it let in
          if (item.n <= last) throw new InvalidDataError(`out of order: ${item.n} after ${last}`);
          await ctx.state.set(`last:${item.key}`, item.n);
        });
      },
    },
    manualTask: {
      trigger: { manual: true },
      retry: { attempts: 1 },
      breaker: { failures: 3, coolDownMs: 300 },
      async run(ctx) {
        const p = (ctx.trigger.payload ?? {}) as { fail?: boolean; auth?: boolean };
        const prepared = await ctx.step("prepare", () => ({ token: Math.random().toString(36).slice(2) }));
        await ctx.step("finish", async () => {
          if (p.auth) throw new AuthError("the ERP refused the key", { app: "erp", status: 401 });
          if (p.fail && !(await ctx.state.get("healthy"))) throw new InvalidDataError("asked to fail");
        });
        return prepared;
      },
    },
    signed: {
      trigger: {
        webhook: { maxBytes: 2048, signature: { header: "x-signature", algorithm: "sha256", timestampHeader: "x-timestamp", toleranceSec: 300 } },
      },
      async run(ctx) {
        return ctx.step("echo", () => ctx.trigger.payload);
      },
    },
  },
});
