import path from "node:path";
import { randomBytes } from "node:crypto";
import pino from "pino";
import { describe, expect } from "vitest";
import { createExecutionsQueue } from "@/lib/queues";
import { createRedis, type Redis } from "@/lib/redis";
import { useRunQueuesForTests } from "@/server/services/executions/run-queues";
import { deployInstance } from "@/server/services/instances/deploy-instance";
import { publishVersion } from "@/server/services/integrations/publish-version";
import { dbTest } from "@/test/db-test";
import { buildBundle } from "../bundle/build-bundle";
import { createScheduleTicksQueue, schedulerId } from "./schedule-ticks-queue";
import { schedulesMarkerKey, startScheduling } from "./start-scheduling";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every key under the prefix gone: what FLUSHALL does to this test's share of the shared Redis. */
async function wipePrefix(redis: Redis, prefix: string) {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

async function waitFor(what: string, ms: number, probe: () => Promise<boolean>) {
  const until = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

describe("start scheduling", () => {
  dbTest("schedules lost with Redis are registered again at the next marker check, by one executor of two, and tick once per tick time", async ({ db, redis, redisUrl, redisPrefix }) => {
    const queue = createExecutionsQueue(redis, redisPrefix);
    const ticks = createScheduleTicksQueue(redis, redisPrefix);
    useRunQueuesForTests({ executions: queue, schedules: ticks });
    const conns = [createRedis(redisUrl, "worker"), createRedis(redisUrl, "worker")];
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (s: string) => void lines.push(s) });
    // The 5-minute resync is pushed out of reach: only the marker check can bring the schedules back.
    const executors = conns.map((r) => startScheduling({ db, redis: r, queue, logger, prefix: redisPrefix, checkMs: 300, resyncMs: 600_000 }));
    try {
      const org = await db.organization.create({ data: { name: "Ticks", slug: `ticks-${randomBytes(6).toString("hex")}` } });
      const scope = { db, organizationId: org.id, actor: { type: "system" as const } };
      const customer = await db.customer.create({ data: { organizationId: org.id, externalId: "ticker" } });
      const { version } = await publishVersion(scope, { bundle: await buildBundle(path.resolve(__dirname, "testing/tick-lab.ts")) });
      const instance = await deployInstance(scope, { customerId: customer.id, versionId: version.id, config: {}, connections: {} });
      const tickKeys = async () =>
        (await db.execution.findMany({ where: { instanceId: instance.id }, select: { idempotencyKey: true } })).map((r) => r.idempotencyKey ?? "");
      const tickAt = (key: string) => Date.parse(key.slice("schedule:".length));

      await waitFor("the start-up pass sets the marker", 20_000, async () => (await redis.exists(schedulesMarkerKey(ticks))) === 1);
      await waitFor("a tick before the wipe", 20_000, async () => (await tickKeys()).length > 0);

      await wipePrefix(redis, redisPrefix);
      const wipedAt = Date.now();
      expect(await ticks.getJobScheduler(schedulerId(instance.id, "tick"))).toBeUndefined();

      await waitFor("the scheduler back", 20_000, async () => !!(await ticks.getJobScheduler(schedulerId(instance.id, "tick"))));
      await waitFor("a tick after the wipe", 20_000, async () => (await tickKeys()).some((k) => tickAt(k) > wipedAt));
      expect(await redis.exists(schedulesMarkerKey(ticks))).toBe(1);
      // SET NX: one executor re-registers, the other finds the marker set again.
      expect(lines.filter((l) => l.includes("schedules re-registered after Redis lost them"))).toHaveLength(1);

      const keys = await tickKeys();
      expect(keys.every((k) => k.startsWith("schedule:"))).toBe(true);
      expect(new Set(keys).size).toBe(keys.length);
    } finally {
      for (const e of executors) await e.close();
      for (const r of conns) r.disconnect();
      useRunQueuesForTests(undefined);
      await ticks.close();
      await queue.close();
    }
  });
});
