// L2 `mixed-sustained` of the reliability plan (§3.1), as a script (minutes long: never part of
// `npm test`): webhooks, app events fanning out, schedules and manual runs at once, against an
// ingest front and three executor processes, for BENCH_SUSTAINED_MINUTES (default 10). Prints one
// line per minute (what was accepted, what finished, queue wait p95, each executor's RSS) and
// ends with the plan's checks: lost 0 (every accepted run terminal), duplicate effects 0 (per
// Idempotency-Key at the sandbox ERP), one run per schedule tick, and executor RSS growth
// between minute 2 and the last minute (the plan's leak check: ≤ 20%).
//
//   npx tsx bench/sustained.ts
//
// Own PostgreSQL and Redis like bench/run.ts (BENCH_PG_PORT, BENCH_REDIS_PORT, BENCH_DATA_DIR).
// Rates (defaults ≈ 20 runs/s, sustainable by three executors on a shared 2-core box):
// BENCH_SUSTAINED_WEBHOOKS_PER_S (5), BENCH_SUSTAINED_EVENTS_PER_S (0.5, each to 10 instances),
// BENCH_SUSTAINED_SCHEDULES (20 instances ticking every 2 s), manual runs 1 per 2 s.
import { readFileSync } from "node:fs";
import path from "node:path";
import { buildBundle } from "@/engine/bundle/build-bundle";
import { seedLab } from "@/engine/events/testing/seed-lab";
import { createDb } from "@/lib/db";
import { createExecutionsQueue } from "@/lib/queues";
import { createRedis } from "@/lib/redis";
import { runManually } from "@/server/services/executions/run-manually";
import { useRunQueuesForTests } from "@/server/services/executions/run-queues";
import { deployInstance } from "@/server/services/instances/deploy-instance";
import { publishVersion } from "@/server/services/integrations/publish-version";
import { createScheduleTicksQueue } from "@/engine/schedules/schedule-ticks-queue";
import { seedOrdersInstance } from "@/engine/testing/walking-skeleton";
import { orderBody, Procs, startErpSandbox, startExecutorProcess, startFrontProcess, type Proc } from "@/engine/reliability/harness";
import { porticoEnv, startInfra } from "./lib/infra";

const MINUTES = Number(process.env.BENCH_SUSTAINED_MINUTES ?? 10);
const WEBHOOKS_PER_S = Number(process.env.BENCH_SUSTAINED_WEBHOOKS_PER_S ?? 5);
const EVENTS_PER_S = Number(process.env.BENCH_SUSTAINED_EVENTS_PER_S ?? 0.5);
const EVENT_INSTANCES = 10;
const SCHEDULES = Number(process.env.BENCH_SUSTAINED_SCHEDULES ?? 20);
const PREFIX = "sustained";
const TERMINAL: string[] = ["SUCCEEDED", "FAILED", "CANCELLED"];

const t0 = Date.now();
const log = (line: string) => console.log(`[${String(Math.round((Date.now() - t0) / 1000)).padStart(5)} s] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

/** Calls `fn` `perSecond` times a second (spread evenly) until `stop()`; counts outcomes. */
function steady(perSecond: number, fn: (i: number) => Promise<boolean>) {
  const stats = { sent: 0, accepted: 0, refused: 0 };
  let stopped = false;
  let i = 0;
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    if (stopped) return;
    const p: Promise<void> = fn(i++)
      .then((ok) => void (ok ? stats.accepted++ : stats.refused++))
      .catch(() => void stats.refused++)
      .finally(() => inFlight.delete(p));
    stats.sent++;
    inFlight.add(p);
  }, 1000 / perSecond);
  return {
    stats,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}

async function main() {
  const infra = await startInfra(log);
  // This process seeds through the services (they read the environment); the children inherit it.
  Object.assign(process.env, porticoEnv(infra), { REDIS_PREFIX: PREFIX });
  const procs = new Procs();
  const db = createDb(infra.databaseUrl, { max: 5 });
  const redis = createRedis(infra.redisUrl, "producer");
  const { sandbox, admin } = await startErpSandbox();
  try {
    const queue = createExecutionsQueue(redis, PREFIX);
    useRunQueuesForTests({ executions: queue, schedules: createScheduleTicksQueue(redis, PREFIX) });

    // Webhooks: orders-to-erp (one ERP sales order per order, keyed order-<id>).
    const orders = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    // App events and manual runs: trigger-lab, 10 instances of one customer subscribed to order.created.
    const lab = await seedLab(db, { sandboxUrl: sandbox.url });
    const labInstances: { id: string }[] = [];
    for (let i = 0; i < EVENT_INSTANCES; i++) labInstances.push((await lab.deployFor("lab-customer")).instance);
    // Schedules: tick-lab every 2 s, overlap "queue" (every tick one run).
    const { version: tickVersion } = await publishVersion(lab.scope, { bundle: await buildBundle(path.resolve("src/engine/schedules/testing/tick-lab.ts")) });
    const ticker = await db.customer.create({ data: { organizationId: lab.org.id, externalId: "ticker", name: "Ticker" } });
    for (let i = 0; i < SCHEDULES; i++) await deployInstance(lab.scope, { customerId: ticker.id, versionId: tickVersion.id, config: {}, connections: {} });

    const stack = { databaseUrl: infra.databaseUrl, redisUrl: infra.redisUrl, redisPrefix: PREFIX };
    const front = await startFrontProcess(procs, stack);
    const executors: Proc[] = [];
    for (const name of ["executor-1", "executor-2", "executor-3"]) executors.push(await startExecutorProcess(procs, stack, { name, concurrency: 10 }));
    log(`front ${front.url}, 3 executors (pids ${executors.map((e) => e.pid).join(", ")}); load for ${MINUTES} min: ${WEBHOOKS_PER_S} webhooks/s, ${EVENTS_PER_S} events/s × ${EVENT_INSTANCES} instances, ${SCHEDULES} schedules every 2 s, 1 manual run per 2 s`);

    const webhookIds = new Map<string, string>();
    const webhooks = steady(WEBHOOKS_PER_S, async (i) => {
      const res = await fetch(`${front.url}/api/hooks/${orders.token}`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": `order-${i}` },
        body: orderBody(i),
      });
      const body = (await res.json().catch(() => ({}))) as { executionId?: string };
      if (res.status === 202 && body.executionId) webhookIds.set(`order-${i}`, body.executionId);
      return res.status === 202;
    });
    let eventRuns = 0;
    const events = steady(EVENTS_PER_S, async (i) => {
      const res = await fetch(`${front.url}/api/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${lab.apiKey}` },
        body: JSON.stringify({ customer: "lab-customer", type: "order.created", payload: { n: i }, idempotencyKey: `event-${i}` }),
      });
      if (res.status !== 202) return false;
      eventRuns += ((await res.json()) as { executions: unknown[] }).executions.length;
      return true;
    });
    const manual = steady(0.5, async (i) => {
      await runManually(lab.scope, { instanceId: labInstances[i % labInstances.length]!.id, flowKey: "manualTask", payload: { i } }, queue);
      return true;
    });

    const rss: number[][] = [];
    const started = Date.now();
    for (let minute = 1; minute <= MINUTES; minute++) {
      await sleep(started + minute * 60_000 - Date.now());
      const since = new Date(Date.now() - 60_000);
      const [byStatus, wait] = await Promise.all([
        db.execution.groupBy({ by: ["status"], _count: true }),
        db.$queryRaw<{ p95: number | null }[]>`SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM ("startedAt" - "queuedAt")) * 1000) AS p95 FROM "Execution" WHERE "startedAt" >= ${since}`,
      ]);
      const counts = Object.fromEntries(byStatus.map((r) => [r.status, r._count]));
      rss.push(executors.map((e) => rssMb(e.pid)));
      log(
        `minute ${minute}: webhooks ${webhooks.stats.accepted}/${webhooks.stats.sent} accepted, events ${events.stats.accepted} (${eventRuns} runs), manual ${manual.stats.accepted}; ` +
          `runs ${JSON.stringify(counts)}; queue wait p95 ${Math.round(Number(wait[0]?.p95 ?? NaN))} ms; executor RSS MB ${rss.at(-1)!.join(" / ")}`,
      );
    }
    await Promise.all([webhooks.stop(), events.stop(), manual.stop()]);
    // Schedules keep ticking; stop them so the settle has an end: pause every tick-lab instance's scheduler by deleting it.
    await db.instance.updateMany({ where: { versionId: tickVersion.id }, data: { status: "PAUSED" } });
    const ticksQueue = createScheduleTicksQueue(redis, PREFIX);
    for (const s of await ticksQueue.getJobSchedulers()) await ticksQueue.removeJobScheduler(s.key);
    log("load stopped; settling (≤ 300 s)");

    const settleUntil = Date.now() + 300_000;
    let open = Infinity;
    while (Date.now() < settleUntil) {
      open = await db.execution.count({ where: { status: { in: ["QUEUED", "RUNNING", "RETRYING"] }, instance: { status: "ACTIVE" } } });
      if (open === 0) break;
      await sleep(1_000);
    }

    // The checks.
    const ids = [...webhookIds.values()];
    const webhookRows = await db.execution.findMany({ where: { id: { in: ids } }, select: { status: true } });
    const lost = ids.length - webhookRows.filter((r) => TERMINAL.includes(r.status)).length;
    const effects = await admin.effects();
    const duplicateEffects = Object.values(effects.byIdempotencyKey).filter((n) => n > 1).length;
    const eventRows = await db.execution.count({ where: { triggerType: "EVENT" } });
    const eventTerminal = await db.execution.count({ where: { triggerType: "EVENT", status: { in: ["SUCCEEDED", "FAILED", "CANCELLED"] } } });
    const tickDupes = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM (SELECT "instanceId", "idempotencyKey" FROM "Execution" WHERE "triggerType" = 'SCHEDULE' GROUP BY 1, 2 HAVING count(*) > 1) d`;
    const scheduleRuns = await db.execution.count({ where: { triggerType: "SCHEDULE" } });
    const failed = await db.execution.groupBy({ by: ["triggerType", "errorClass"], where: { status: "FAILED" }, _count: true });
    const from = rss[Math.min(1, rss.length - 1)]!;
    const to = rss.at(-1)!;
    const growth = to.map((v, i) => Math.round(((v - from[i]!) / from[i]!) * 100));

    console.log(`\nSustained mixed load, ${MINUTES} min (reliability plan L2)`);
    console.log(`webhooks accepted ${ids.length} of ${webhooks.stats.sent}; not terminal after the settle (lost): ${lost}`);
    console.log(`ERP effects: ${effects.total}, keys applied more than once (duplicate effects): ${duplicateEffects}`);
    console.log(`event runs: ${eventRows} recorded (${eventRuns} answered), ${eventTerminal} terminal`);
    console.log(`schedule runs: ${scheduleRuns}; ticks run more than once: ${Number(tickDupes[0]?.n ?? 0)}`);
    console.log(`runs still open after the settle (ACTIVE instances): ${open}`);
    console.log(`FAILED runs by trigger and class: ${JSON.stringify(failed.map((f) => [f.triggerType, f.errorClass, f._count]))}`);
    console.log(`executor RSS MB at minute ${rss.length > 1 ? 2 : 1} → end: ${from.join(" / ")} → ${to.join(" / ")} (growth ${growth.map((g) => `${g}%`).join(" / ")}; plan: ≤ 20%)`);
    const ok = lost === 0 && duplicateEffects === 0 && Number(tickDupes[0]?.n ?? 0) === 0 && open === 0 && eventTerminal === eventRows;
    console.log(`checks: ${ok ? "OK" : "FAILED"}`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await procs.stopAll();
    await sandbox.close();
    redis.disconnect();
    await db.$disconnect();
    await infra.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
