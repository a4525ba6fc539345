// C6 of reliability-plan §3.2: the web front dies between committing a batch of Execution rows
// and adding their jobs to BullMQ (the fault hook PORTICO_FAULT_EXIT_AFTER_COMMIT in
// execution-batch.ts: exit(1) after the n-th committed batch, before its addBulk). Those runs are
// in the ledger with no job, and their senders got no answer. The executor's own reconciler,
// running at the test timing, must queue them while the front is still down (nothing else adds
// jobs then), they must run once — no "execution not found" — and a sender re-sending with its
// Idempotency-Key to the restarted front must get the orphan's id, not a second run.
import { describe, expect } from "vitest";
import { stopAfterEachTest } from "./after-each-test";
import { dbTest } from "@/test/db-test";
import { seedOrdersInstance } from "../testing/walking-skeleton";
import {
  expectEffectsOnce,
  expectLedgerSettled,
  newLedger,
  orderBody,
  postOrders,
  startErpSandbox,
  startExecutorProcess,
  startFrontProcess,
  type Ledger,
} from "./harness";

const RUNS = Number(process.env.RELIABILITY_C6_RUNS ?? 60);
// The committed batch after which the front exits. Senders wait for their answer, so a batch
// holds at most CONCURRENCY rows: RUNS > (EXIT_AFTER_BATCH − 1) × CONCURRENCY makes sure it comes.
const EXIT_AFTER_BATCH = Number(process.env.RELIABILITY_C6_EXIT_AFTER_BATCH ?? 3);
const CONCURRENCY = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { procs, cleanups } = stopAfterEachTest({ ignoreCleanupErrors: true });

/** Sends orders from..to-1 once each (no retry): a 202 goes in the ledger, a cut or refused connection in `unanswered`. */
async function sendOnce(o: { url: string; token: string; from: number; to: number; ledger: Ledger; unanswered: Set<string> }) {
  let next = o.from;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < o.to) {
        const i = next++;
        const key = `order-${i}`;
        try {
          const res = await fetch(`${o.url}/api/hooks/${o.token}`, {
            method: "POST",
            headers: { "content-type": "application/json", "idempotency-key": key },
            body: orderBody(i),
            signal: AbortSignal.timeout(15_000),
          });
          const text = await res.text();
          if (res.status !== 202) throw new Error(`webhook ${key} answered ${res.status}: ${text}`);
          o.ledger.accepted.set(key, (JSON.parse(text) as { executionId: string }).executionId);
        } catch (err) {
          if (err instanceof Error && err.message.startsWith("webhook ")) throw err;
          o.unanswered.add(key);
        }
      }
    }),
  );
}

describe("web front crashes between the commit of a batch and its enqueue", () => {
  dbTest(`exit after committed batch ${EXIT_AFTER_BATCH}, before its addBulk: the live reconciler queues the orphans, re-sent keys get their ids, 1 run and 1 effect per key`, async ({ db, databaseUrl, redisUrl, redisPrefix }) => {
    const { sandbox, admin } = await startErpSandbox();
    cleanups.push(() => sandbox.close());
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const stack = { databaseUrl, redisUrl, redisPrefix };
    const [faulty, executor] = await Promise.all([
      startFrontProcess(procs, stack, { env: { PORTICO_FAULT_EXIT_AFTER_COMMIT: String(EXIT_AFTER_BATCH) } }),
      startExecutorProcess(procs, stack, { name: "executor" }),
    ]);

    // 1. Every webhook sent once, until (and past) the front's death.
    const ledger = newLedger();
    const unanswered = new Set<string>();
    await sendOnce({ url: faulty.url, token, from: 1, to: RUNS + 1, ledger, unanswered });
    const exit = await faulty.proc.exited;
    expect(exit.code).toBe(1); // the hook fired (not a crash of another kind)
    expect(unanswered.size).toBeGreaterThan(0);
    // The replacement front (no hook) boots meanwhile; it adds no job until a webhook reaches it,
    // and none is sent before step 3.
    const restarting = startFrontProcess(procs, stack);
    restarting.catch(() => {}); // awaited in step 3

    // 2. The orphans: the rows of the batch the front died after (it printed their ids), committed
    // and never queued; their senders got no answer. Other batches in flight may have left more.
    const faultLine = faulty.proc.lines.find((l) => l.startsWith("FAULT_EXIT_AFTER_COMMIT "));
    const orphanIds = (faultLine?.split(" ")[1] ?? "").split(",").filter(Boolean);
    expect(orphanIds.length).toBeGreaterThan(0);
    const orphanRows = await db.execution.findMany({ where: { id: { in: orphanIds } }, select: { id: true, idempotencyKey: true } });
    expect(orphanRows.filter((r) => !unanswered.has(r.idempotencyKey!))).toEqual([]); // no 202 for any of them
    const orphans = new Map(orphanRows.map((r) => [r.idempotencyKey!, r.id])); // key → id
    expect(orphans.size).toBe(orphanIds.length);
    const committed = await db.execution.findMany({ where: { idempotencyKey: { in: [...unanswered] } }, select: { id: true } });

    // With the front still down, the executor's reconciler queues them and they run.
    const committedIds = committed.map((r) => r.id);
    for (const until = Date.now() + 60_000; ; ) {
      const done = await db.execution.count({ where: { id: { in: committedIds }, status: "SUCCEEDED" } });
      if (done === committedIds.length) break;
      if (Date.now() > until)
        throw new Error(`${committedIds.length - done} of ${committedIds.length} committed-but-unanswered runs not SUCCEEDED with the front down\n${executor.tail(20)}`);
      await sleep(250);
    }
    // Only the reconciler adds jobs while the front is down: its passes queued at least the orphans.
    const requeuedLines = executor.lines.filter((l) => l.includes("reconciler re-queued runs that had no job"));
    const requeued = requeuedLines.reduce((n, l) => n + Number(/"requeued":(\d+)/.exec(l)?.[1] ?? 0), 0);
    expect(requeued).toBeGreaterThanOrEqual(orphans.size);

    // 3. The front again, without the hook; every key re-sent with its Idempotency-Key.
    const front = await restarting;
    await postOrders({ frontUrl: () => front.url, token, from: 1, to: RUNS + 1, concurrency: CONCURRENCY, ledger });
    expect(ledger.conflicts).toEqual([]); // keys 202'd before the crash: the same id again
    expect(ledger.accepted.size).toBe(RUNS);
    // Each orphan's sender gets the orphan's id, not a second run.
    expect([...orphans].filter(([key, id]) => ledger.accepted.get(key) !== id)).toEqual([]);

    await expectLedgerSettled(db, ledger, 90_000, () => procs.tails());
    const rows = await db.execution.findMany({ select: { id: true, idempotencyKey: true } });
    expect(rows.filter((r) => ledger.accepted.get(r.idempotencyKey ?? "") !== r.id)).toEqual([]);
    const fx = await expectEffectsOnce(admin, ledger);
    expect(fx.missing).toEqual([]);
    expect(fx.duplicated).toEqual([]);
    expect(fx.total).toBe(RUNS);
    // The executor never got a job for a run that was not in the ledger (n8n#24274).
    expect(executor.lines.filter((l) => l.includes("execution not found"))).toEqual([]);
    expect(executor.alive()).toBe(true);
    console.info(
      `C6: front exited after batch ${EXIT_AFTER_BATCH}; ${unanswered.size} webhooks unanswered, ${committed.length} of them committed, ` +
        `${orphans.size} in the batch the front died after, reconciler re-queued ${requeued}; ERP replays ${fx.replays}`,
    );
  }, 180_000);
});
