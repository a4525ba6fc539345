// R6 of reliability-plan §3.3: the network between the executors and Redis blips — every
// connection reset and new ones refused for 3 s — during a load. Redis itself stays up (locks
// and queues intact), so this is about the clients: the executors must reconnect by themselves,
// keep or regain the locks of the runs they hold, and not leave jobs `active` with no owner.
// A lock that did expire may hand a run to the other executor while the first still runs it:
// the claim and the ERP's Idempotency-Key must then keep the effect single.
import { Queue } from "bullmq";
import { describe, expect } from "vitest";
import { stopAfterEachTest } from "./after-each-test";
import { createRedis } from "@/lib/redis";
import { QUEUES } from "@/lib/queues";
import { dbTest } from "@/test/db-test";
import { seedOrdersInstance } from "../testing/walking-skeleton";
import {
  expectEffectsOnce,
  expectLedgerSettled,
  newLedger,
  postOrders,
  startErpSandbox,
  startExecutorProcess,
  startFrontProcess,
  TEST_TIMING,
  waitForSucceeded,
} from "./harness";
import { startTcpProxy, targetOf, viaProxy } from "./tcp-proxy";

const RUNS = Number(process.env.RELIABILITY_BLIP_RUNS ?? 200);
const BLIP_MS = Number(process.env.RELIABILITY_BLIP_MS ?? 3_000);
/** How long after the blip the `active` list is inspected (plan: 30 s). */
const AFTER_BLIP_MS = 30_000;
/** An `active` job older than this has no live owner: its lock would have expired and the stalled check run. */
const OWNERLESS_AFTER_MS = Number(TEST_TIMING.EXECUTOR_LOCK_MS) + Number(TEST_TIMING.EXECUTOR_STALLED_INTERVAL_MS);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { procs, cleanups } = stopAfterEachTest({ ignoreCleanupErrors: true });

describe("network blip between the executors and Redis", () => {
  dbTest(`all Redis connections reset for ${BLIP_MS} ms during ${RUNS} runs: executors carry on by themselves, 0 lost, 0 duplicated effects`, async ({ db, databaseUrl, redisUrl, redisPrefix }) => {
    const proxy = await startTcpProxy(targetOf(redisUrl));
    cleanups.push(() => proxy.close());
    const { sandbox, admin } = await startErpSandbox();
    cleanups.push(() => sandbox.close());
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    // Only the executors go through the proxy; the front (ingest) keeps its direct connection.
    const direct = { databaseUrl, redisUrl, redisPrefix };
    const proxied = { ...direct, redisUrl: viaProxy(redisUrl, proxy) };
    const [front, a, b] = await Promise.all([
      startFrontProcess(procs, direct),
      startExecutorProcess(procs, proxied, { name: "executor-a" }),
      startExecutorProcess(procs, proxied, { name: "executor-b" }),
    ]);

    const ledger = newLedger();
    const load = postOrders({ frontUrl: () => front.url, token, from: 1, to: RUNS + 1, concurrency: 20, ledger });
    load.catch(() => {}); // awaited below; keeps an early failure from being "unhandled"
    // Early in the load (the queue still full, every slot busy): most runs then start after the
    // blip, inside the 30 s we wait anyway, so the load itself adds little to the test's time.
    await waitForSucceeded(db, Math.max(5, Math.floor(RUNS * 0.1)), 120_000, "before the blip");
    const openAtBlip = proxy.open();
    const runningAtBlip = await db.execution.count({ where: { status: "RUNNING" } });
    await proxy.blip(BLIP_MS);
    const blipEnded = Date.now();
    const linesAtBlipEnd = { a: a.lines.length, b: b.lines.length };
    await load;

    const diagnostics = () => procs.tails();
    await expectLedgerSettled(db, ledger, 90_000, diagnostics);
    const fx = await expectEffectsOnce(admin, ledger);
    expect(openAtBlip).toBeGreaterThan(0); // the blip did cut live connections
    expect(ledger.accepted.size).toBe(RUNS);
    expect(fx.missing).toEqual([]);
    expect(fx.duplicated).toEqual([]);
    expect(fx.total).toBe(RUNS);
    // Both executors finished runs after the blip (neither sat on a dead connection), and
    // neither was restarted.
    const ranAfterBlip = (lines: string[], from: number) => lines.slice(from).filter((l) => l.includes("run succeeded")).length;
    expect({ a: ranAfterBlip(a.lines, linesAtBlipEnd.a) > 0, b: ranAfterBlip(b.lines, linesAtBlipEnd.b) > 0 }).toEqual({ a: true, b: true });
    expect([front.proc.alive(), a.alive(), b.alive()]).toEqual([true, true, true]);

    // 30 s after the blip no job may be `active` for longer than lock + stalled interval: such a
    // job has lost its owner and nothing is going to move it.
    await sleep(Math.max(0, blipEnded + AFTER_BLIP_MS - Date.now()));
    const connection = createRedis(redisUrl, "worker");
    const queue = new Queue(QUEUES.executions.name, { connection, prefix: redisPrefix });
    try {
      const active = await queue.getActive();
      const now = Date.now();
      const ownerless = active
        .filter((job) => now - (job.processedOn ?? now) > OWNERLESS_AFTER_MS)
        .map((job) => `${job.id} active for ${now - (job.processedOn ?? now)} ms`);
      expect(ownerless).toEqual([]);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    // Deliveries beyond effects are retries the ERP recognised by Idempotency-Key (allowed, reported).
    console.info(`redis-blip: ${RUNS} runs, ${runningAtBlip} RUNNING and ${openAtBlip} connections reset at the blip, ${fx.replays} replayed ERP writes`);
  }, 240_000);
});
