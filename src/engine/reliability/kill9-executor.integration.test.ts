// C1/C2 of reliability-plan §3.2: an executor killed with SIGKILL loses nothing and duplicates
// no side effect; the same run killed twice (past BullMQ's default maxStalledCount of 1) still
// ends SUCCEEDED with its sales order created once.
import { afterEach, describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { seedOrdersInstance } from "../testing/walking-skeleton";
import {
  expectEffectsOnce,
  expectLedgerSettled,
  kill9,
  newLedger,
  orderNumber,
  postOrders,
  Procs,
  startErpSandbox,
  startExecutorProcess,
  startFrontProcess,
  waitForSucceeded,
} from "./harness";

const RUNS = Number(process.env.RELIABILITY_KILL9_RUNS ?? 200);
let procs = new Procs();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await procs.stopAll();
  procs = new Procs();
  for (const c of cleanups.splice(0)) await c();
});

describe("executor killed with SIGKILL", () => {
  dbTest(`kill -9 of one of two executors during ${RUNS} runs: 0 lost, 0 duplicated effects`, async ({ db, databaseUrl, redisUrl, redisPrefix }) => {
    const { sandbox, admin } = await startErpSandbox();
    cleanups.push(() => sandbox.close());
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const stack = { databaseUrl, redisUrl, redisPrefix };
    const [front, a] = await Promise.all([
      startFrontProcess(procs, stack),
      startExecutorProcess(procs, stack, { name: "executor-a" }),
      startExecutorProcess(procs, stack, { name: "executor-b" }),
    ]);

    const ledger = newLedger();
    const load = postOrders({ frontUrl: () => front.url, token, from: 1, to: RUNS + 1, concurrency: 20, ledger });
    load.catch(() => {}); // awaited below; keeps an early failure from being "unhandled"
    // Kill at ~30% of the load, with executor-a busy, then start a replacement.
    await waitForSucceeded(db, Math.floor(RUNS * 0.3), 120_000, "before the kill");
    await kill9(a);
    const c = await startExecutorProcess(procs, stack, { name: "executor-c" });
    await load;

    await expectLedgerSettled(db, ledger, 90_000, () => procs.all.map((p) => `--- ${p.name}\n${p.tail(15)}`).join("\n"));
    const fx = await expectEffectsOnce(admin, ledger);
    expect(ledger.accepted.size).toBe(RUNS);
    expect(fx.missing).toEqual([]);
    expect(fx.duplicated).toEqual([]);
    expect(fx.total).toBe(RUNS);
    expect(c.alive()).toBe(true);
  }, 240_000);

  dbTest("the same run killed twice (past BullMQ's maxStalledCount 1) ends SUCCEEDED with one effect", async ({ db, databaseUrl, redisUrl, redisPrefix }) => {
    const { sandbox, admin } = await startErpSandbox();
    cleanups.push(() => sandbox.close());
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const stack = { databaseUrl, redisUrl, redisPrefix };
    // The ERP applies the write, then never answers (an ambiguous write), twice: each executor
    // that holds the run is stuck in "push to ERP" with the effect already done when we kill it.
    await admin.addFault({ app: "erp", match: { method: "POST", pathPrefix: "/erp/api/sales-orders" }, mode: "hang", phase: "after", times: 2 });
    const front = await startFrontProcess(procs, stack);
    const ledger = newLedger();
    await postOrders({ frontUrl: () => front.url, token, from: 1, to: 2, concurrency: 1, ledger });
    const id = ledger.accepted.get("order-1")!;

    const erpPosts = async () => (await admin.requests({ app: "erp", method: "POST" })).length;
    const waitForErpPosts = async (n: number, holder: string) => {
      const until = Date.now() + 60_000;
      while ((await erpPosts()) < n) {
        if (Date.now() > until) throw new Error(`${holder} never reached the ERP (wanted ${n} POSTs)`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    for (const [n, name] of [[1, "executor-1"], [2, "executor-2"]] as const) {
      const holder = await startExecutorProcess(procs, stack, { name, concurrency: 1 });
      await waitForErpPosts(n, name);
      await kill9(holder);
    }
    const last = await startExecutorProcess(procs, stack, { name: "executor-3", concurrency: 1 });

    await expectLedgerSettled(db, ledger, 60_000, () => last.tail(20));
    const run = await db.execution.findUniqueOrThrow({ where: { id } });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.attempt).toBeGreaterThanOrEqual(3); // three executors claimed it
    const fx = await expectEffectsOnce(admin, ledger);
    expect(fx.effects.byExternalId[orderNumber(1)]).toBe(1);
    expect(fx.replays).toBeGreaterThanOrEqual(1); // the retries did reach the ERP, as replays
  }, 240_000);
});
