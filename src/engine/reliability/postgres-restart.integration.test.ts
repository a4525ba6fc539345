// P1/P2 of reliability-plan §3.4: PostgreSQL stopped and started again during a load. The front
// and the executors are not restarted: they must reconnect by themselves; webhooks during the
// outage get 503 (never a 202 that is then lost); runs in flight finish or are retried.
// Uses a Postgres of its own (the shared test server must not go down under other tests).
import pg from "pg";
import { afterEach, describe, expect, inject, test } from "vitest";
import { stopAfterEachTest } from "./after-each-test";
import { createDb } from "@/lib/db";
import { slotDataDir, slotPostgresPort } from "@/test/test-slot";
import { startPostgres, type RunningPostgres } from "../../../scripts/lib/postgres";
import { applyMigrations } from "../../../scripts/lib/schema-engine";
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

const RUNS = Number(process.env.RELIABILITY_PG_RUNS ?? 100);
// A server of its own in this test slot's range; data kept between runs (initdb is the slow part).
const PG_PORT = slotPostgresPort(7);
const PG_DIR = slotDataDir("reliability-pg");
const DATABASE = "reliability";

const { procs, cleanups } = stopAfterEachTest({ ignoreCleanupErrors: true });

async function freshDatabase(server: RunningPostgres): Promise<string> {
  const admin = new pg.Client({ connectionString: server.urlFor("postgres") });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = server.urlFor(DATABASE);
  await applyMigrations(url);
  return url;
}

describe("PostgreSQL restarted during a load", () => {
  test(`stop + start during ${RUNS} runs: front and executors recover by themselves, outage webhooks get 503, 0 lost`, async ({ task }) => {
    let server = await startPostgres({ dataDir: PG_DIR, port: PG_PORT, unsafeFast: true });
    cleanups.push(() => server.stop());
    const databaseUrl = await freshDatabase(server);
    const db = createDb(databaseUrl, { max: 3 });
    cleanups.push(() => db.$disconnect());
    const { sandbox, admin } = await startErpSandbox();
    cleanups.push(() => sandbox.close());
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const { redisUrl } = inject("porticoTest");
    const stack = { databaseUrl, redisUrl, redisPrefix: `test:reliability:pg:${task.id}:${Date.now()}` };
    const [front, a, b] = await Promise.all([
      startFrontProcess(procs, stack),
      startExecutorProcess(procs, stack, { name: "executor-a" }),
      startExecutorProcess(procs, stack, { name: "executor-b" }),
    ]);

    const ledger = newLedger();
    const half = Math.floor(RUNS / 2);
    const first = postOrders({ frontUrl: () => front.url, token, from: 1, to: half + 1, concurrency: 20, ledger });
    first.catch(() => {}); // awaited below; keeps an early failure from being "unhandled"
    await waitForSucceeded(db, Math.floor(half / 2), 120_000, "before stopping Postgres");
    await server.stop(); // fast shutdown: open transactions roll back, clients are disconnected
    // While it is down, a webhook must be refused (503), not accepted.
    const down = await fetch(`${front.url}/api/hooks/${token}`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "order-outage-probe" },
      body: JSON.stringify({ id: "probe", number: "SO-probe", currency: "EUR", lines: [{ sku: "A-1", qty: 1, price: 1 }] }),
    });
    expect(down.status).toBe(503);
    // The second half arrives during the outage: refused with 503, re-sent by the sender until accepted.
    const second = postOrders({ frontUrl: () => front.url, token, from: half + 1, to: RUNS + 1, concurrency: 20, ledger });
    second.catch(() => {});
    await new Promise((r) => setTimeout(r, 2_000));
    server = await startPostgres({ dataDir: PG_DIR, port: PG_PORT, unsafeFast: true });
    await Promise.all([first, second]);

    await expectLedgerSettled(db, ledger, 120_000, () => procs.tails());
    const fx = await expectEffectsOnce(admin, ledger);
    expect(ledger.refusals.get("503") ?? 0).toBeGreaterThan(0);
    expect(ledger.accepted.size).toBe(RUNS);
    expect(fx.missing).toEqual([]);
    expect(fx.duplicated).toEqual([]);
    expect(fx.total).toBe(RUNS);
    expect([front.proc.alive(), a.alive(), b.alive()]).toEqual([true, true, true]);
  }, 240_000);
});
