// C4 of reliability-plan §3.2: SIGTERM to an executor mid-run. It stops taking jobs at once,
// lets running attempts finish within the grace period (EXECUTOR_SHUTDOWN_GRACE_MS), and exits;
// attempts still running when the grace period ends are handed back (their job lock lapses and
// another executor takes them over, resuming after the last stored step). Nothing is lost.
import { describe, expect } from "vitest";
import { stopAfterEachTest } from "./after-each-test";
import { dbTest } from "@/test/db-test";
import type { Db } from "@/lib/db";
import { seedOrdersInstance } from "../testing/walking-skeleton";
import {
  expectEffectsOnce,
  expectLedgerSettled,
  newLedger,
  postOrders,
  startErpSandbox,
  startExecutorProcess,
  startFrontProcess,
  type Proc,
} from "./harness";

const { procs, cleanups } = stopAfterEachTest();

async function waitForRunning(db: Db, n: number) {
  const until = Date.now() + 60_000;
  for (;;) {
    const running = await db.execution.count({ where: { status: "RUNNING" } });
    if (running >= n) return;
    if (Date.now() > until) throw new Error(`only ${running} runs RUNNING after 60 s (wanted ${n})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** pino lines of one process, as objects (non-JSON lines skipped). */
function logOf(proc: Proc): { msg?: string; runId?: string; running?: string[] }[] {
  return proc.lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as { msg?: string; runId?: string; running?: string[] }];
    } catch {
      return [];
    }
  });
}

describe("executor receiving SIGTERM", () => {
  dbTest("stops taking jobs, finishes its running attempts within the grace period, exits 0; nothing lost", async ({ db, databaseUrl, redisUrl, redisPrefix }) => {
    const { sandbox, admin } = await startErpSandbox();
    cleanups.push(() => sandbox.close());
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    // Every ERP call takes 2 s: the executor is surely mid-run when it gets the signal.
    await admin.addFault({ app: "erp", match: { method: "POST" }, mode: "slow", delayMs: 2_000, times: -1 });
    const stack = { databaseUrl, redisUrl, redisPrefix };
    const front = await startFrontProcess(procs, stack);
    const a = await startExecutorProcess(procs, stack, { name: "executor-a", concurrency: 5, logLevel: "debug", env: { EXECUTOR_SHUTDOWN_GRACE_MS: "30000" } });
    const ledger = newLedger();
    await postOrders({ frontUrl: () => front.url, token, from: 1, to: 16, concurrency: 15, ledger });

    await waitForRunning(db, 5); // all five slots busy, each for ~2 s
    a.child.kill("SIGTERM");
    const exit = await Promise.race([a.exited, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
    expect(exit, `executor-a did not exit within grace + 30 s:\n${a.tail()}`).toEqual({ code: 0, signal: null });

    const log = logOf(a);
    const drainAt = log.findIndex((l) => l.msg === "draining");
    expect(drainAt).toBeGreaterThan(-1);
    // The executor's own list of the runs in hand when it got the signal. Not the order of "run
    // started" lines: on a loaded box a run claimed before the signal (the test saw it RUNNING)
    // may log "run started" only after "draining".
    const inHand = new Set(log[drainAt]!.running);
    expect(inHand.size).toBeGreaterThan(0);
    const startedAfter = log.slice(drainAt).filter((l) => l.msg === "run started").map((l) => l.runId);
    const finishedAfter = log.slice(drainAt).filter((l) => l.msg === "run succeeded").map((l) => l.runId);
    expect(startedAfter.filter((id) => !inHand.has(id!))).toEqual([]); // no job taken after the signal
    expect(new Set(finishedAfter)).toEqual(inHand); // the running ones finished, by a
    expect(await db.execution.count({ where: { status: "RUNNING" } })).toBe(0);

    // The rest waits in the queue for the next executor.
    await startExecutorProcess(procs, stack, { name: "executor-b" });
    await expectLedgerSettled(db, ledger, 60_000);
    const fx = await expectEffectsOnce(admin, ledger);
    expect(fx.missing).toEqual([]);
    expect(fx.duplicated).toEqual([]);
    expect(fx.total).toBe(15);
  }, 240_000);

  dbTest("past the grace period, running attempts are handed back and another executor completes them once", async ({ db, databaseUrl, redisUrl, redisPrefix }) => {
    const { sandbox, admin } = await startErpSandbox();
    cleanups.push(() => sandbox.close());
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    // Slower than the grace period: the executor has to leave with the runs unfinished.
    await admin.addFault({ app: "erp", match: { method: "POST" }, mode: "slow", delayMs: 3_000, times: 3 });
    const stack = { databaseUrl, redisUrl, redisPrefix };
    const front = await startFrontProcess(procs, stack);
    const a = await startExecutorProcess(procs, stack, { name: "executor-a", concurrency: 3, env: { EXECUTOR_SHUTDOWN_GRACE_MS: "500" } });
    const ledger = newLedger();
    await postOrders({ frontUrl: () => front.url, token, from: 1, to: 7, concurrency: 6, ledger });

    await waitForRunning(db, 3);
    a.child.kill("SIGTERM");
    const exit = await Promise.race([a.exited, new Promise<null>((r) => setTimeout(() => r(null), 20_000))]);
    expect(exit, `executor-a did not exit after its grace period:\n${a.tail()}`).toEqual({ code: 0, signal: null });
    expect(await db.execution.count({ where: { status: "RUNNING" } })).toBe(3); // left unfinished

    await startExecutorProcess(procs, stack, { name: "executor-b" });
    await expectLedgerSettled(db, ledger, 60_000);
    const fx = await expectEffectsOnce(admin, ledger);
    expect(fx.missing).toEqual([]);
    expect(fx.duplicated).toEqual([]);
    expect(fx.total).toBe(6);
  }, 240_000);
});
