// What one app event's fan-out costs (never part of `npm test`):
//   BENCH_PG_PORT=… BENCH_REDIS_PORT=… BENCH_DATA_DIR=… npx tsx bench/event-fanout.ts
// Starts its own PostgreSQL and Redis (bench/lib/infra.ts), seeds one customer with
// BENCH_FANOUT_INSTANCES (200) subscribed instances, then alternates rounds of
// BENCH_FANOUT_EVENTS (5) events, each with its own idempotency key, through:
//   - one-by-one: the path publishEvent had before (an ordering-key check and recordRun through
//     Prisma per instance), kept here as the baseline;
//   - batched:    publishEvent now (one multi-row INSERT, one addBulk).
// Prints ms per event, SQL statements per event (bench/lib/sql-counter.ts) and this process's
// CPU per event. No executor runs: the jobs stay queued. BENCH_ROUNDS (3).
import { takeCpuMs, takeSqlCounts } from "./lib/sql-counter";
import { porticoEnv, startInfra, stopInfraNow, type BenchInfra } from "./lib/infra";

const INSTANCES = Number(process.env.BENCH_FANOUT_INSTANCES ?? 200);
const EVENTS = Number(process.env.BENCH_FANOUT_EVENTS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const started = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

let infra: BenchInfra | undefined;
process.on("exit", () => {
  if (infra) stopInfraNow();
});

async function main() {
  infra = await startInfra(log);
  Object.assign(process.env, porticoEnv(infra), { LOG_LEVEL: "warn" });
  // Portico's modules read the environment: imported once it is set.
  const { createDb } = await import("@/lib/db");
  const { createRedis } = await import("@/lib/redis");
  const { createLogger } = await import("@/lib/logger");
  const { createExecutionsQueue } = await import("@/lib/queues");
  const { publishEvent } = await import("@/engine/events/publish-event");
  const { jsonPayload, recordRun } = await import("@/engine/events/record-run");
  const { orderingKeyFor } = await import("@/engine/ordering/ordering-key");
  const { seedFanout } = await import("@/engine/events/testing/seed-fanout");
  type Deps = Parameters<typeof publishEvent>[0];
  type Event = Parameters<typeof publishEvent>[2];

  // The baseline: publish-event.ts as it was before the batched fan-out.
  async function publishOneByOne(deps: Deps, organizationId: string, event: Event) {
    const { db } = deps;
    const customer = await db.customer.findFirstOrThrow({ where: { organizationId, externalId: event.customer, deletedAt: null }, select: { id: true } });
    const instances = await db.instance.findMany({
      where: { organizationId, customerId: customer.id, deletedAt: null, status: { in: ["ACTIVE", "PAUSED", "NEEDS_ATTENTION"] } },
      select: { id: true, organizationId: true, customerId: true, versionId: true, status: true, version: { select: { id: true, sha256: true, manifest: true } } },
      orderBy: { createdAt: "asc" },
    });
    const { contentType, payload } = jsonPayload(event.payload ?? null);
    const executions: string[] = [];
    for (const instance of instances) {
      const flows = (instance.version.manifest as { flows: Record<string, { trigger?: { type?: string; event?: string } }> }).flows;
      for (const [flowKey, f] of Object.entries(flows)) {
        if (f.trigger?.type !== "event" || f.trigger.event !== event.type) continue;
        const orderingKey = await orderingKeyFor(db, deps.logger, { version: instance.version, flowKey, body: payload, contentType });
        const run = await recordRun(deps, instance, {
          flowKey,
          triggerType: "EVENT",
          triggerSource: `event:${event.type}`,
          contentType,
          payload,
          idempotencyKey: event.idempotencyKey ?? null,
          orderingKey,
        });
        executions.push(run.executionId);
      }
    }
    return executions.length;
  }

  const db = createDb(infra.databaseUrl);
  const producer = createRedis(infra.redisUrl, "producer");
  const queue = createExecutionsQueue(producer, "bench-fanout");
  const deps: Deps = { db, queue, logger: createLogger("bench-fanout", "warn") };
  try {
    log(`seeding one customer with ${INSTANCES} subscribed instances`);
    const { lab } = await seedFanout(db, INSTANCES);
    const ways = {
      "one-by-one (before)": async (key: string) => publishOneByOne(deps, lab.org.id, { customer: "acme", type: "order.created", payload: { key }, idempotencyKey: key }),
      "batched (now)": async (key: string) =>
        (await publishEvent(deps, lab.org.id, { customer: "acme", type: "order.created", payload: { key }, idempotencyKey: key })).executions.length,
    };
    // Warm both paths (bundle cache, prepared statements, connections).
    for (const [name, publish] of Object.entries(ways)) await publish(`warm-${name}`);

    const results: Record<string, { ms: number[]; statements: number[]; cpuMs: number[] }> = {};
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, publish] of Object.entries(ways)) {
        const r = (results[name] ??= { ms: [], statements: [], cpuMs: [] });
        takeSqlCounts();
        takeCpuMs();
        const t0 = performance.now();
        for (let e = 0; e < EVENTS; e++) {
          const runs = await publish(`r${round}-${name}-${e}`);
          if (runs !== INSTANCES) throw new Error(`${name}: ${runs} runs for ${INSTANCES} instances`);
        }
        const ms = (performance.now() - t0) / EVENTS;
        const statements = Object.values(takeSqlCounts()).reduce((a, b) => a + b, 0) / EVENTS;
        const cpu = takeCpuMs();
        const cpuMs = (cpu.user + cpu.system) / EVENTS;
        r.ms.push(ms);
        r.statements.push(statements);
        r.cpuMs.push(cpuMs);
        log(`round ${round} ${name}: ${ms.toFixed(1)} ms/event, ${statements.toFixed(1)} SQL statements/event, ${cpuMs.toFixed(1)} ms CPU/event (this process)`);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(`\nOne event → ${INSTANCES} instances (median of ${ROUNDS} rounds × ${EVENTS} events):`);
    console.log("| path | ms per event | SQL statements per event | CPU ms per event (publisher) |");
    console.log("| --- | ---: | ---: | ---: |");
    for (const [name, r] of Object.entries(results))
      console.log(`| ${name} | ${median(r.ms).toFixed(1)} | ${median(r.statements).toFixed(0)} | ${median(r.cpuMs).toFixed(1)} |`);
  } finally {
    await queue.close().catch(() => {});
    producer.disconnect();
    await db.$disconnect();
  }
}

main()
  .then(() => infra?.stop())
  .then(() => {
    log("done");
    process.exit(0);
  })
  .catch(async (err) => {
    console.error(err);
    await infra?.stop();
    process.exit(1);
  });
