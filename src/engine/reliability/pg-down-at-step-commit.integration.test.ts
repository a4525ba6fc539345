// P3 of reliability-plan §3.4: a step's side effect is done at the remote, then the write of
// that step's result fails because PostgreSQL is unreachable. The executor reaches PostgreSQL
// through a TCP proxy that the test cuts at the moment the sandbox ERP has applied the write
// (the ERP holds its answer back for a moment, so the cut lands between the effect and the
// step commit). Once PostgreSQL is back, the run must be retried, repeat the unstored step with
// the same Idempotency-Key (the ERP answers it as a replay) and end SUCCEEDED, with one effect,
// and the executor process must still be the same one.
import { describe, expect } from "vitest";
import { stopAfterEachTest } from "./after-each-test";
import { dbTest } from "@/test/db-test";
import { seedOrdersInstance } from "../testing/walking-skeleton";
import {
  expectEffectsOnce,
  expectLedgerSettled,
  newLedger,
  orderNumber,
  postOrders,
  startErpSandbox,
  startExecutorProcess,
  startFrontProcess,
} from "./harness";
import { startTcpProxy, targetOf, viaProxy } from "./tcp-proxy";

/** How long PostgreSQL stays unreachable after the failed step commit. */
const DOWN_MS = Number(process.env.RELIABILITY_PG_DOWN_MS ?? 2_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { procs, cleanups } = stopAfterEachTest({ ignoreCleanupErrors: true });

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await sleep(20);
  }
}

describe("PostgreSQL unreachable when a step's result is written", () => {
  dbTest("the ERP write is applied, the step commit fails: the run is retried with the same Idempotency-Key and ends SUCCEEDED with one effect", async ({ db, databaseUrl, redisUrl, redisPrefix }) => {
    const proxy = await startTcpProxy(targetOf(databaseUrl));
    cleanups.push(() => proxy.close());
    const { sandbox, admin } = await startErpSandbox();
    cleanups.push(() => sandbox.close());
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    // The ERP applies the sales order at once but answers 1.5 s later: the window to cut in.
    await admin.addFault({ app: "erp", match: { method: "POST", pathPrefix: "/erp/api/sales-orders" }, mode: "slow", phase: "after", delayMs: 1_500, times: 1 });
    const direct = { databaseUrl, redisUrl, redisPrefix };
    const [front, executor] = await Promise.all([
      startFrontProcess(procs, direct),
      // Only the executor reaches PostgreSQL through the proxy.
      startExecutorProcess(procs, { ...direct, databaseUrl: viaProxy(databaseUrl, proxy) }, { name: "executor", concurrency: 1 }),
    ]);

    const ledger = newLedger();
    await postOrders({ frontUrl: () => front.url, token, from: 1, to: 2, concurrency: 1, ledger });
    const id = ledger.accepted.get("order-1")!;

    // The moment the ERP has applied the write (the effect is counted), PostgreSQL goes away.
    await until("the ERP write", 60_000, async () => ((await admin.effects()).total >= 1 ? true : undefined));
    proxy.cut();
    // The step result cannot be stored: the attempt fails as an infrastructure failure.
    await executor.waitForLine(/execution job failed \(infrastructure\)/, 30_000, "the failed step commit");
    await sleep(DOWN_MS);
    proxy.restore();

    await expectLedgerSettled(db, ledger, 60_000, () => executor.tail(30));
    const run = await db.execution.findUniqueOrThrow({ where: { id }, include: { steps: { orderBy: { seq: "asc" } } } });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.attempt).toBeGreaterThanOrEqual(2); // claimed again after the failed commit
    // The steps stored before the cut were not repeated; the unstored one was, by the later attempt.
    expect(run.steps.map((s) => [s.name, s.status, s.attempt])).toEqual([
      ["validate order", "SUCCEEDED", 1],
      ["map to sales order", "SUCCEEDED", 1],
      ["push to ERP", "SUCCEEDED", run.attempt],
    ]);
    // The ERP saw the retry (a replay under the same key) and applied the order once.
    const fx = await expectEffectsOnce(admin, ledger);
    expect(fx.effects.byIdempotencyKey["order-1"]).toBe(1);
    expect(fx.effects.byExternalId[orderNumber(1)]).toBe(1);
    expect(fx.effects.replaysByIdempotencyKey["order-1"]).toBeGreaterThanOrEqual(1);
    expect(fx.effects.withoutIdempotencyKey).toBe(0);
    expect(executor.alive()).toBe(true);
  }, 120_000);
});
