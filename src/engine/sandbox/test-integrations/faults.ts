import { defineIntegration, z } from "portico/sdk";

// Integration code that misbehaves in every way the sandbox must contain, one flow per fault,
// plus a flow whose second step hangs on its first attempt only (resume after a timeout) and a
// probe of what the worker thread sees, and a trivial one-step flow. Built with buildBundle by the sandbox tests.

const forever = () => new Promise<never>(() => {});

export default defineIntegration({
  key: "sandbox-faults",
  name: "Sandbox faults",
  config: z.object({}),
  connections: { erp: { app: "erp", auth: "apiKey" } },
  flows: {
    spin: {
      trigger: { webhook: {} },
      retry: { attempts: 2 },
      timeoutMs: 1_000,
      run() {
        for (;;) {
          // while (true) {}
        }
      },
    },
    hog: {
      trigger: { webhook: {} },
      retry: { attempts: 1 },
      run() {
        const keep: number[][] = [];
        for (;;) keep.push(new Array<number>(100_000).fill(1.5));
      },
    },
    exit: {
      trigger: { webhook: {} },
      retry: { attempts: 1 },
      run() {
        process.exit(1);
      },
    },
    throwInTimer: {
      trigger: { webhook: {} },
      retry: { attempts: 1 },
      timeoutMs: 60_000,
      async run() {
        setTimeout(() => {
          throw new Error("thrown in a timer callback");
        }, 1);
        await forever();
      },
    },
    unhandledRejection: {
      trigger: { webhook: {} },
      retry: { attempts: 1 },
      timeoutMs: 60_000,
      async run() {
        void Promise.reject(new Error("nobody handles this rejection"));
        await forever();
      },
    },
    resumeAfterTimeout: {
      trigger: { webhook: {} },
      retry: { attempts: 2 },
      timeoutMs: 2_000,
      async run(ctx) {
        const first = await ctx.step("first", () => {
          ctx.log.info("first step ran", { attempt: ctx.execution.attempt });
          return { ranInAttempt: ctx.execution.attempt };
        });
        const second = await ctx.step("second", () => {
          if (ctx.execution.attempt === 1) for (;;) {} // hangs until the time limit kills the thread
          return { ranInAttempt: ctx.execution.attempt };
        });
        return { first, second };
      },
    },
    trivial: {
      trigger: { webhook: {} },
      async run(ctx) {
        return ctx.step("one", () => ({ ok: true }));
      },
    },
    probe: {
      trigger: { webhook: {} },
      retry: { attempts: 1 },
      async run(ctx) {
        // A global set here must not appear in the executor's own globals.
        (globalThis as Record<string, unknown>).__porticoSandboxProbe = ctx.execution.id;
        const orders = await ctx.step("list sales orders", async () => {
          ctx.log.info("listing sales orders");
          const res = await ctx.http(ctx.connections.erp).get("/erp/api/sales-orders", { query: { externalId: "none" } });
          return res.json<{ data: unknown[] }>();
        });
        let caught: { name: string; errorClass: unknown; status: unknown } | null = null;
        try {
          await ctx.http(ctx.connections.erp).get("/erp/api/sales-orders/SO-404404");
        } catch (err) {
          const e = err as { name: string; errorClass?: unknown; status?: unknown };
          caught = { name: e.name, errorClass: e.errorClass, status: e.status };
        }
        await ctx.state.set("cursor", { page: 2 });
        ctx.reference("probe-1");
        return { count: orders.data.length, caught, cursor: await ctx.state.get("cursor"), seen: JSON.stringify(ctx) };
      },
    },
    pushWithoutKey: {
      trigger: { webhook: {} },
      retry: { attempts: 3 },
      async run(ctx) {
        // No Idempotency-Key of its own: the engine's default key must make a retried step's
        // write apply once. A read carries no key; `idempotencyKey: false` sends none.
        const http = ctx.http(ctx.connections.erp);
        const externalId = `no-key-${ctx.execution.id}`;
        const created = await ctx.step("push", async () => {
          await http.get("/erp/api/sales-orders", { query: { externalId } });
          const res = await http.post("/erp/api/sales-orders", { json: { externalId, lines: [{ sku: "SKU-1", quantity: 1 }], total: 1 } });
          return res.json<{ id?: string }>();
        });
        await ctx.step("push again, unkeyed on purpose", () =>
          http.post("/erp/api/sales-orders", { json: { externalId: `${externalId}-b`, lines: [{ sku: "SKU-1", quantity: 1 }], total: 1 }, idempotencyKey: false }),
        );
        return { salesOrderId: created.id ?? null };
      },
    },
    parallelSteps: {
      trigger: { webhook: {} },
      retry: { attempts: 1 },
      async run(ctx) {
        // Two steps in flight at once, each logging and calling out after an await, then code
        // outside any step: every record must name the step it came from (or none).
        const lookup = (name: string, externalId: string) =>
          ctx.step(name, async () => {
            await new Promise((r) => setTimeout(r, 20));
            ctx.log.info(`${name}: looking up`);
            const res = await ctx.http(ctx.connections.erp).get("/erp/api/sales-orders", { query: { externalId } });
            ctx.log.info(`${name}: found`);
            return res.status;
          });
        const statuses = await Promise.all([lookup("lookup a", "a"), lookup("lookup b", "b")]);
        ctx.log.info("after the steps");
        return { statuses };
      },
    },
  },
});
