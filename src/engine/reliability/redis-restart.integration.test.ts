// R2/R3 of reliability-plan §3.3: redis-server killed with SIGKILL during a load, then started
// again on the same AOF folder, or started empty. The executors and the front are not restarted:
// they must resume by themselves, and the reconciler re-queues from PostgreSQL whatever Redis
// lost. During the outage ingest answers 503 (a 202 promises a queued job): the senders retry with
// their Idempotency-Key and get the run the refused request may already have committed.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { slotDataDir, slotRedisPort } from "@/test/test-slot";
import { startRedis, type RunningRedis } from "../../../scripts/lib/redis-server";
import { seedOrdersInstance } from "../testing/walking-skeleton";
import {
  expectEffectsOnce,
  expectLedgerSettled,
  newLedger,
  postOrders,
  Procs,
  startErpSandbox,
  startExecutorProcess,
  startFrontProcess,
  waitForSucceeded,
} from "./harness";

const RUNS = Number(process.env.RELIABILITY_REDIS_RUNS ?? 100);
// Our own redis-server (not the shared test one): this test kills it. Port in this test slot's range.
const PORT = slotRedisPort(7);
const dataDir = (name: string) => slotDataDir(`reliability-redis-${name}`);

let procs = new Procs();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await procs.stopAll();
  procs = new Procs();
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

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

/** kill -9 a redis-server we started, and wait until it is gone. */
async function kill9Redis(pid: number) {
  process.kill(pid, "SIGKILL");
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server ${pid} did not die`);
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

  await expectLedgerSettled(o.db, ledger, 90_000, () => procs.all.map((p) => `--- ${p.name}\n${p.tail(15)}`).join("\n"));
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
});
