// R3 of reliability-plan §3.3 on a live server: FLUSHALL while webhook runs are in flight and an
// instance with a 2-second cron schedule is deployed, executors and front running. Nobody is
// restarted. What must come back by itself: the QUEUED/RETRYING/RUNNING runs (the reconciler
// re-queues them from PostgreSQL) and the schedule's BullMQ job scheduler (the executors notice
// the schedules marker is gone on their next check — one reconcile period — and register every
// ACTIVE instance's schedules again, instead of waiting for the 5-minute resync). Ticks stay
// exactly-once: one run per tick time (unique `schedule:<tickAt>` key in PostgreSQL).
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect } from "vitest";
import { stopAfterEachTest } from "./after-each-test";
import { createExecutionsQueue } from "@/lib/queues";
import { createRedis } from "@/lib/redis";
import { useRunQueuesForTests } from "@/server/services/executions/run-queues";
import { deployInstance } from "@/server/services/instances/deploy-instance";
import { publishVersion } from "@/server/services/integrations/publish-version";
import { dbTest } from "@/test/db-test";
import { slotDataDir, slotRedisPort } from "@/test/test-slot";
import { startRedis } from "../../../scripts/lib/redis-server";
import { buildBundle } from "../bundle/build-bundle";
import { createScheduleTicksQueue, schedulerId } from "../schedules/schedule-ticks-queue";
import { seedOrdersInstance } from "../testing/walking-skeleton";
import { expectEffectsOnce, newLedger, postOrders, startErpSandbox, startExecutorProcess, startFrontProcess, TEST_TIMING } from "./harness";

const RUNS = Number(process.env.RELIABILITY_FLUSHALL_RUNS ?? 60);
// Our own redis-server (this test empties it). Offsets 7/8/9 are taken by redis-restart, health, redis-oom.
const PORT = slotRedisPort(6);
const DIR = slotDataDir("reliability-redis-flushall");
/** The plan's bound: re-queued / re-registered within the reconcile period + 30 s. */
const WITHIN_MS = Number(TEST_TIMING.RECONCILE_INTERVAL_MS) + 30_000;
const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { procs, cleanups } = stopAfterEachTest({ ignoreCleanupErrors: true });

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined | false>, diagnostics = () => ""): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms\n${diagnostics()}`);
    await sleep(200);
  }
}

describe("Redis emptied (FLUSHALL) on a live server", () => {
  dbTest(`FLUSHALL during ${RUNS} webhook runs and a 2 s schedule: runs re-queued, schedule re-registered within a reconcile period, 0 lost, one run per tick`, async ({ db, databaseUrl, redisPrefix }) => {
    const t0 = Date.now();
    const phases: string[] = [];
    const phase = (name: string) => phases.push(`${name} +${((Date.now() - t0) / 1000).toFixed(1)}s`);
    if (existsSync(DIR)) for (const e of readdirSync(DIR)) if (e !== "portico-redis.pid") rmSync(path.join(DIR, e), { recursive: true, force: true });
    const server = await startRedis({ dataDir: DIR, port: PORT });
    cleanups.push(() => server.stop());
    const redis = createRedis(server.url, "worker");
    cleanups.push(async () => redis.disconnect());
    const queue = createExecutionsQueue(redis, redisPrefix);
    const ticks = createScheduleTicksQueue(redis, redisPrefix);
    cleanups.push(() => queue.close(), () => ticks.close());
    useRunQueuesForTests({ executions: queue, schedules: ticks });
    cleanups.push(async () => useRunQueuesForTests(undefined));

    const { sandbox, admin } = await startErpSandbox();
    cleanups.push(() => sandbox.close());
    const orders = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const org = await db.organization.create({ data: { name: "Ticks", slug: `ticks-${randomBytes(6).toString("hex")}` } });
    const scope = { db, organizationId: org.id, actor: { type: "system" as const } };
    const customer = await db.customer.create({ data: { organizationId: org.id, externalId: "ticker" } });
    const { version } = await publishVersion(scope, { bundle: await buildBundle(path.resolve(__dirname, "../schedules/testing/tick-lab.ts")) });
    const lab = await deployInstance(scope, { customerId: customer.id, versionId: version.id, config: {}, connections: {} });

    const stack = { databaseUrl, redisUrl: server.url, redisPrefix };
    // Small executor concurrency so the load builds a backlog of QUEUED runs for the wipe to hit.
    const [front] = await Promise.all([
      startFrontProcess(procs, stack),
      startExecutorProcess(procs, stack, { name: "executor-a", concurrency: 2 }),
      startExecutorProcess(procs, stack, { name: "executor-b", concurrency: 2 }),
    ]);
    phase("processes up");
    const diagnostics = () => procs.tails();
    const tickRuns = () => db.execution.findMany({ where: { instanceId: lab.id }, select: { idempotencyKey: true, status: true, triggerType: true } });
    const tickAt = (key: string | null) => Date.parse((key ?? "").slice("schedule:".length));

    // The schedule works before the wipe.
    await waitFor("a tick run before the wipe", 60_000, async () => (await tickRuns()).some((r) => r.status === "SUCCEEDED"), diagnostics);

    const ledger = newLedger();
    const load = postOrders({ frontUrl: () => front.url, token: orders.token, from: 1, to: RUNS + 1, concurrency: 20, ledger });
    load.catch(() => {}); // awaited below
    const ordersSucceeded = () => db.execution.count({ where: { instanceId: orders.instance.id, status: "SUCCEEDED" } });
    // Wipe as soon as the executors are clearly under way: most of the load is still waiting then.
    await waitFor("some of the load done before the wipe", 90_000, async () => (await ordersSucceeded()) >= Math.max(1, Math.floor(RUNS / 10)), diagnostics);

    phase("load under way");
    const pendingBefore = await db.execution.count({ where: { instanceId: orders.instance.id, status: { in: ["QUEUED", "RETRYING", "RUNNING"] } } });
    expect(await redis.flushall()).toBe("OK");
    const wipedAt = Date.now();
    const pendingIds = (
      await db.execution.findMany({ where: { instanceId: orders.instance.id, status: { in: ["QUEUED", "RETRYING", "RUNNING"] } }, select: { id: true } })
    ).map((r) => r.id);
    const pendingAtWipe = pendingIds.length;

    // The schedule comes back by itself and ticks again — within the reconcile period + 30 s, not at the 5-minute resync.
    const firstTickAfter = await waitFor("a tick after the wipe", WITHIN_MS, async () => {
      const after = (await tickRuns()).filter((r) => tickAt(r.idempotencyKey) > wipedAt);
      return after.length > 0 ? Math.min(...after.map((r) => tickAt(r.idempotencyKey))) : undefined;
    }, diagnostics);
    phase("ticking again");
    expect(await ticks.getJobScheduler(schedulerId(lab.id, "tick"))).toMatchObject({ pattern: "*/2 * * * * *" });
    expect(procs.all.some((p) => p.lines.some((l) => l.includes("schedules re-registered after Redis lost them")))).toBe(true);

    // Every run waiting at the wipe was delivered again (an executor claimed it, which takes a job)
    // within the reconcile period + 30 s; then every accepted webhook run reaches SUCCEEDED.
    await waitFor("runs waiting at the wipe delivered again", WITHIN_MS, async () =>
      (await db.execution.count({ where: { id: { in: pendingIds }, status: { in: ["QUEUED", "RETRYING"] } } })) === 0, diagnostics);
    phase("waiting runs delivered");
    await load;
    const ids = [...ledger.accepted.values()];
    await waitFor("every accepted run terminal", 90_000, async () => {
      const rows = await db.execution.findMany({ where: { id: { in: ids } }, select: { status: true } });
      return rows.length === ids.length && rows.every((r) => TERMINAL.has(r.status));
    }, diagnostics);
    phase("load settled");
    // The wipe hit runs whose job it took, and the reconciler queued them again.
    expect(pendingAtWipe).toBeGreaterThan(0);
    const requeued = procs.all
      .flatMap((p) => p.lines)
      .filter((l) => l.includes("reconciler re-queued runs that had no job"))
      .reduce((n, l) => n + Number(/"requeued":(\d+)/.exec(l)?.[1] ?? 0), 0);
    expect(requeued).toBeGreaterThan(0);
    expect(ledger.conflicts).toEqual([]);
    expect(ledger.accepted.size).toBe(RUNS);
    const orderRows = await db.execution.findMany({ where: { instanceId: orders.instance.id }, select: { status: true } });
    expect(orderRows.length).toBe(RUNS);
    expect(orderRows.filter((r) => r.status !== "SUCCEEDED")).toEqual([]);
    const fx = await expectEffectsOnce(admin, ledger);
    expect(fx.missing).toEqual([]);
    expect(fx.duplicated).toEqual([]);
    expect(fx.total).toBe(RUNS);

    // Let a few more ticks run, then stop the ticking and count: one run per tick time, all succeeded.
    await waitFor("two ticks after the wipe", 60_000, async () => (await tickRuns()).filter((r) => tickAt(r.idempotencyKey) > wipedAt && r.status === "SUCCEEDED").length >= 2, diagnostics);
    await procs.stopAll();
    phase("stopped");
    const runs = await tickRuns();
    const perTick = new Map<string, number>();
    for (const r of runs) perTick.set(r.idempotencyKey ?? "none", (perTick.get(r.idempotencyKey ?? "none") ?? 0) + 1);
    expect([...perTick.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(runs.every((r) => r.triggerType === "SCHEDULE" && r.idempotencyKey?.startsWith("schedule:"))).toBe(true);
    expect(runs.filter((r) => !TERMINAL.has(r.status) && r.status !== "QUEUED")).toEqual([]);
    const lastTickBefore = Math.max(...runs.map((r) => tickAt(r.idempotencyKey)).filter((t) => t <= wipedAt));
    console.info(
      `[redis-flushall] runs pending at the wipe: ${pendingBefore}→${pendingAtWipe}, re-queued by reconcilers: ${requeued}; tick runs: ${runs.length}; ` +
        `last tick before the wipe ${wipedAt - lastTickBefore} ms before it, first after it ${firstTickAfter - wipedAt} ms after it; ${phases.join(", ")}`,
    );
  }, 240_000);
});
