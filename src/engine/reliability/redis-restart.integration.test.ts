// R2/R3 of reliability-plan §3.3: redis-server killed with SIGKILL during a load, then started
// again on the same AOF folder, or started empty. The executors and the front are not restarted:
// they must resume by themselves, and the reconciler re-queues from PostgreSQL whatever Redis
// lost. During the outage ingest answers 503 (a 202 promises a queued job): the senders retry with
// their Idempotency-Key and get the run the refused request may already have committed.
// R1: the same with a graceful SHUTDOWN (AOF written) and a long outage (DOWN_MS) during which
// webhooks keep arriving; every one answered then must be 503, never 202.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { describe, expect } from "vitest";
import { stopAfterEachTest } from "./after-each-test";
import { dbTest } from "@/test/db-test";
import { slotDataDir, slotRedisPort } from "@/test/test-slot";
import { startRedis, type RunningRedis } from "../../../scripts/lib/redis-server";
import { seedOrdersInstance } from "../testing/walking-skeleton";
import {
  expectEffectsOnce,
  expectLedgerSettled,
  newLedger,
  postOrders,
  startErpSandbox,
  startExecutorProcess,
  startFrontProcess,
  waitForSucceeded,
} from "./harness";

const RUNS = Number(process.env.RELIABILITY_REDIS_RUNS ?? 100);
// R1: how long Redis stays down after its SHUTDOWN while webhooks keep arriving.
const DOWN_MS = Number(process.env.RELIABILITY_REDIS_DOWN_MS ?? 10_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Our own redis-server (not the shared test one): this test kills it. Port in this test slot's range.
const PORT = slotRedisPort(7);
const dataDir = (name: string) => slotDataDir(`reliability-redis-${name}`);

const { procs, cleanups } = stopAfterEachTest({ ignoreCleanupErrors: true });

/**
 * The pid of the redis-server just started on `dir`: startRedis writes it synchronously before it
 * resolves, so it is there now. Read at once, not when killing: the kill must not depend on the
 * file surviving the load.
 */
function redisPid(dir: string): number {
  const pid = Number(readFileSync(path.join(dir, "portico-redis.pid"), "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no redis-server pid recorded in ${dir}`);
  return pid;
}

/**
 * Empties `dir` for a fresh start but keeps the pid file: a server left running by an earlier,
 * killed test run is then found and replaced by startRedis instead of holding the port.
 */
function emptyDataDir(dir: string) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) if (entry !== "portico-redis.pid") rmSync(path.join(dir, entry), { recursive: true, force: true });
}

/** Waits until the process `pid` is gone (up to `ms`). */
async function waitGone(pid: number, ms = 5_000) {
  for (const until = Date.now() + ms; Date.now() < until; ) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server ${pid} did not die`);
}

/** kill -9 a redis-server we started, and wait until it is gone. */
async function kill9Redis(pid: number) {
  process.kill(pid, "SIGKILL");
  await waitGone(pid);
}

/** SHUTDOWN (Redis writes and fsyncs its AOF, then exits), and wait until the server is gone. */
async function shutdownRedis(url: string, pid: number) {
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  await admin.connect();
  // The server closes the connection instead of answering: that rejection is the success case.
  await admin.call("SHUTDOWN").catch(() => {});
  admin.disconnect();
  await waitGone(pid, 30_000);
}

async function outage(o: { wipe: boolean; db: Parameters<typeof seedOrdersInstance>[0]; databaseUrl: string; redisPrefix: string }) {
  const dir = dataDir(o.wipe ? "wipe" : "aof");
  emptyDataDir(dir);
  let redis: RunningRedis = await startRedis({ dataDir: dir, port: PORT });
  const pid = redisPid(dir);
  cleanups.push(() => redis.stop());
  const { sandbox, admin } = await startErpSandbox();
  cleanups.push(() => sandbox.close());
  const { token } = await seedOrdersInstance(o.db, { sandboxUrl: sandbox.url });
  const stack = { databaseUrl: o.databaseUrl, redisUrl: redis.url, redisPrefix: o.redisPrefix };
  const [front, a, b] = await Promise.all([
    startFrontProcess(procs, stack),
    startExecutorProcess(procs, stack, { name: "executor-a" }),
    startExecutorProcess(procs, stack, { name: "executor-b" }),
  ]);

  const ledger = newLedger();
  const load = postOrders({ frontUrl: () => front.url, token, from: 1, to: RUNS + 1, concurrency: 20, ledger });
  load.catch(() => {}); // awaited below; keeps an early failure from being "unhandled"
  await waitForSucceeded(o.db, Math.floor(RUNS * 0.25), 120_000, "before killing redis");
  await kill9Redis(pid);
  if (o.wipe) rmSync(dir, { recursive: true, force: true });
  // Down long enough for ingest, executors and reconcilers to all hit the outage.
  await new Promise((r) => setTimeout(r, 2_000));
  redis = await startRedis({ dataDir: dir, port: PORT });
  await load;

  await expectLedgerSettled(o.db, ledger, 90_000, () => procs.tails());
  const fx = await expectEffectsOnce(admin, ledger);
  expect(ledger.accepted.size).toBe(RUNS);
  expect(fx.missing).toEqual([]);
  expect(fx.duplicated).toEqual([]);
  expect(fx.total).toBe(RUNS);
  // Nobody was restarted: the same processes carried on.
  expect([front.proc.alive(), a.alive(), b.alive()]).toEqual([true, true, true]);
  return ledger;
}

describe("redis-server killed during a load", () => {
  dbTest(`kill -9 and restart on the same AOF during ${RUNS} runs: workers resume by themselves, 0 lost`, async ({ db, databaseUrl, redisPrefix }) => {
    await outage({ wipe: false, db, databaseUrl, redisPrefix });
  }, 240_000);

  dbTest(`kill -9 and restart EMPTY during ${RUNS} runs: the reconciler re-queues from PostgreSQL, 0 lost`, async ({ db, databaseUrl, redisPrefix }) => {
    await outage({ wipe: true, db, databaseUrl, redisPrefix });
  }, 240_000);

  // R1: a graceful stop (SHUTDOWN saves the AOF), a long outage with ingest going on, a restart.
  dbTest(`SHUTDOWN, ${DOWN_MS} ms down while webhooks arrive, restart on the saved AOF, during ${RUNS} runs: outage webhooks get 503 (never 202), executors resume by themselves, 0 lost`, async ({ db, databaseUrl, redisPrefix }) => {
    const t0 = Date.now();
    const dir = dataDir("graceful");
    emptyDataDir(dir);
    let redis: RunningRedis = await startRedis({ dataDir: dir, port: PORT });
    const pid = redisPid(dir);
    cleanups.push(() => redis.stop());
    const { sandbox, admin } = await startErpSandbox();
    cleanups.push(() => sandbox.close());
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const stack = { databaseUrl, redisUrl: redis.url, redisPrefix };
    const [front, a, b] = await Promise.all([
      startFrontProcess(procs, stack),
      startExecutorProcess(procs, stack, { name: "executor-a" }),
      startExecutorProcess(procs, stack, { name: "executor-b" }),
    ]);

    // Every answer to every attempt, with when it was sent and answered.
    const answers: { key: string; status: number | "network"; sentAt: number; answeredAt: number }[] = [];
    const onAnswer = (x: (typeof answers)[number]) => answers.push(x);
    const ledger = newLedger();
    const loadAt = Date.now();
    // 70% of the orders before the outage, the rest sent from its start (they must wait it out).
    const split = Math.floor(RUNS * 0.7);
    const load = postOrders({ frontUrl: () => front.url, token, from: 1, to: split + 1, concurrency: 20, ledger, onAnswer, retryForMs: 120_000 });
    load.catch(() => {}); // awaited below; keeps an early failure from being "unhandled"
    // Early (executors busy, the queue full): most runs then wait out the outage, which the test waits for anyway.
    await waitForSucceeded(db, Math.max(5, Math.floor(RUNS * 0.1)), 120_000, "before SHUTDOWN");
    await shutdownRedis(redis.url, pid);
    const downAt = Date.now();
    const inFlightAtShutdown = await db.execution.count({ where: { status: { in: ["QUEUED", "RUNNING", "RETRYING"] } } });
    const outageLoad = postOrders({ frontUrl: () => front.url, token, from: split + 1, to: RUNS + 1, concurrency: 5, ledger, onAnswer, retryForMs: 120_000 });
    outageLoad.catch(() => {});
    await sleep(DOWN_MS);
    const upAt = Date.now();
    const linesAtRestart = { a: a.lines.length, b: b.lines.length };
    redis = await startRedis({ dataDir: dir, port: PORT });
    await Promise.all([load, outageLoad]);

    await expectLedgerSettled(db, ledger, 90_000, () => procs.tails());
    const settledAt = Date.now();
    const fx = await expectEffectsOnce(admin, ledger);
    expect(ledger.accepted.size).toBe(RUNS);
    expect(fx.missing).toEqual([]);
    expect(fx.duplicated).toEqual([]);
    expect(fx.total).toBe(RUNS);

    // Sent after Redis was gone and answered before it was back: 503, every one (a 202 promises a queued job).
    const duringOutage = answers.filter((x) => x.sentAt >= downAt && x.answeredAt <= upAt);
    const byStatus: Record<string, number> = {};
    for (const x of duringOutage) byStatus[String(x.status)] = (byStatus[String(x.status)] ?? 0) + 1;
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(byStatus).toEqual({ "503": duringOutage.length });

    // The same processes carried on: both executors finished runs after the restart.
    const ranAfterRestart = (lines: string[], from: number) => lines.slice(from).filter((l) => l.includes("run succeeded")).length;
    const after = { a: ranAfterRestart(a.lines, linesAtRestart.a), b: ranAfterRestart(b.lines, linesAtRestart.b) };
    expect({ a: after.a > 0, b: after.b > 0 }).toEqual({ a: true, b: true });
    expect([front.proc.alive(), a.alive(), b.alive()]).toEqual([true, true, true]);
    const requeued = [...a.lines.slice(linesAtRestart.a), ...b.lines.slice(linesAtRestart.b)]
      .filter((l) => l.includes("reconciler re-queued runs that had no job"))
      .reduce((n, l) => n + Number(/"requeued":(\d+)/.exec(l)?.[1] ?? 0), 0);
    console.info(
      `R1: ${inFlightAtShutdown} runs unfinished at SHUTDOWN; ${duringOutage.length} webhooks answered during the ${DOWN_MS} ms outage, ` +
        `by status ${JSON.stringify(byStatus)}; after the restart executors finished ${after.a} + ${after.b} runs, ` +
        `reconcilers re-queued ${requeued}; ERP replays ${fx.replays}; ` +
        `ms: start ${loadAt - t0}, load to SHUTDOWN ${downAt - loadAt}, restart to settled ${settledAt - upAt}`,
    );
  }, 240_000);
});
