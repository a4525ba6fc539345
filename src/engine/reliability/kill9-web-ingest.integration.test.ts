// C3 of reliability-plan §3.2: the web front (front-main.ts) killed with SIGKILL while webhooks
// are in flight, then started again. The senders retry every request that did not get a 202 with
// the same Idempotency-Key (harness postOrders). Requests the kill cut off may have been
// committed, queued, both or neither: every 202'd id must still reach a terminal run, one run per
// key, one sales order per key at the ERP, and a retried key must get the first run's id.
import { describe, expect } from "vitest";
import { stopAfterEachTest } from "./after-each-test";
import { dbTest } from "@/test/db-test";
import { seedOrdersInstance } from "../testing/walking-skeleton";
import {
  expectEffectsOnce,
  expectLedgerSettled,
  kill9,
  newLedger,
  postOrders,
  startErpSandbox,
  startExecutorProcess,
  startFrontProcess,
  type Ledger,
} from "./harness";

const RUNS = Number(process.env.RELIABILITY_WEB_KILL9_RUNS ?? 300);
// Webhooks in flight at once (so at the kill).
const IN_FLIGHT = Number(process.env.RELIABILITY_WEB_KILL9_IN_FLIGHT ?? 150);

const { procs, cleanups } = stopAfterEachTest();

describe("web front killed with SIGKILL during ingest", () => {
  dbTest(`kill -9 of the front with ${IN_FLIGHT} of ${RUNS} webhooks in flight, retried with their keys: 0 lost, 1 run and 1 effect per key`, async ({ db, databaseUrl, redisUrl, redisPrefix }) => {
    const { sandbox, admin } = await startErpSandbox();
    cleanups.push(() => sandbox.close());
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const stack = { databaseUrl, redisUrl, redisPrefix };
    let [front] = await Promise.all([startFrontProcess(procs, stack), startExecutorProcess(procs, stack, { name: "executor", concurrency: 20 })]);

    const ledger = newLedger();
    const load = postOrders({ frontUrl: () => front!.url, token, from: 1, to: RUNS + 1, concurrency: IN_FLIGHT, ledger, retryForMs: 120_000 });
    load.catch(() => {}); // awaited below; keeps an early failure from being "unhandled"
    // Kill once ~30% are answered: the next IN_FLIGHT requests are somewhere in the front
    // (reading, in the INSERT batch, in addBulk, answering).
    for (const until = Date.now() + 120_000; ledger.accepted.size < Math.floor(RUNS * 0.3); ) {
      if (Date.now() > until) throw new Error(`only ${ledger.accepted.size} webhooks accepted before the kill`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const answeredBeforeKill = new Set(ledger.accepted.keys());
    const killedAt = new Date();
    await kill9(front!.proc);
    front = await startFrontProcess(procs, stack);
    await load;

    expect(ledger.accepted.size).toBe(RUNS);
    expect(ledger.refusals.get("network") ?? 0).toBeGreaterThan(0); // the kill did cut requests off

    // Every key sent once more: the first run's id again, no new run.
    const resent: Ledger = { accepted: new Map(ledger.accepted), refusals: new Map(), conflicts: [] };
    await postOrders({ frontUrl: () => front!.url, token, from: 1, to: RUNS + 1, concurrency: 20, ledger: resent });
    expect(resent.conflicts).toEqual([]);

    await expectLedgerSettled(db, ledger, 120_000, () => procs.tails());
    const rows = await db.execution.findMany({ select: { id: true, idempotencyKey: true, queuedAt: true } });
    // One run per key, and it is the run the key's 202s named.
    expect(rows.filter((r) => ledger.accepted.get(r.idempotencyKey ?? "") !== r.id)).toEqual([]);
    expect(new Set(rows.map((r) => r.idempotencyKey)).size).toBe(RUNS);
    const fx = await expectEffectsOnce(admin, ledger);
    expect(fx.missing).toEqual([]);
    expect(fx.duplicated).toEqual([]);
    expect(fx.total).toBe(RUNS);

    // Runs committed before the kill whose sender never heard back: found again by their key.
    const committedUnanswered = rows.filter((r) => r.queuedAt < killedAt && !answeredBeforeKill.has(r.idempotencyKey!)).length;
    console.info(
      `C3: ${answeredBeforeKill.size} answered before the kill, ${committedUnanswered} committed but unanswered at the kill, ` +
        `refusals ${JSON.stringify(Object.fromEntries(ledger.refusals))}, ERP replays ${fx.replays}`,
    );
  }, 240_000);
});
