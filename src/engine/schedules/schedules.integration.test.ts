import path from "node:path";
import { randomBytes } from "node:crypto";
import { describe, expect } from "vitest";
import { createExecutionsQueue } from "@/lib/queues";
import { createRedis } from "@/lib/redis";
import { useRunQueuesForTests } from "@/server/services/executions/run-queues";
import { deployInstance } from "@/server/services/instances/deploy-instance";
import { pauseInstance } from "@/server/services/instances/pause-instance";
import { publishVersion } from "@/server/services/integrations/publish-version";
import type { OrgScope } from "@/server/tenancy/scope";
import { dbTest } from "@/test/db-test";
import { buildBundle } from "../bundle/build-bundle";
import { startTestExecutor, testLogger } from "../testing/walking-skeleton";
import { runScheduleTick } from "./run-schedule-tick";
import { createScheduleTicksQueue, schedulerId } from "./schedule-ticks-queue";
import { startScheduleWorker } from "./start-schedule-worker";

describe("schedules", () => {
  dbTest("a deployed cron flow ticks into one run per tick across two workers, skips ticks while its run goes on, and pausing removes it", async ({ db, redis, redisUrl, redisPrefix }) => {
    const queue = createExecutionsQueue(redis, redisPrefix);
    const ticks = createScheduleTicksQueue(redis, redisPrefix);
    useRunQueuesForTests({ executions: queue, schedules: ticks });
    const workerRedis = [createRedis(redisUrl, "worker"), createRedis(redisUrl, "worker")];
    const started: { close(): Promise<unknown> }[] = [];
    try {
      const org = await db.organization.create({ data: { name: "Sched", slug: `sched-${randomBytes(6).toString("hex")}` } });
      const scope: OrgScope = { db, organizationId: org.id, actor: { type: "system" } };
      const customer = await db.customer.create({ data: { organizationId: org.id, externalId: "acme" } });
      const bundle = await buildBundle(path.resolve(__dirname, "testing/schedule-lab.ts"));
      const { version } = await publishVersion(scope, { bundle });
      const instance = await deployInstance(scope, { customerId: customer.id, versionId: version.id, config: {}, connections: {} });

      const scheduler = await ticks.getJobScheduler(schedulerId(instance.id, "everySecond"));
      expect(scheduler).toMatchObject({ pattern: "* * * * * *", tz: "Europe/Berlin" });
      expect(await ticks.getJobScheduler(schedulerId(instance.id, "yearly"))).toMatchObject({ tz: "UTC" });

      // The same tick twice (two workers, or a re-delivered tick job) records one run.
      const deps = { db, queue, logger: testLogger };
      const t1 = new Date("2030-01-01T00:00:00.000Z");
      const first = await runScheduleTick(deps, { instanceId: instance.id, flowKey: "yearly", tickAt: t1 });
      expect(first.outcome).toBe("recorded");
      expect(await runScheduleTick(deps, { instanceId: instance.id, flowKey: "yearly", tickAt: t1 })).toEqual({ outcome: "duplicate", executionId: first.executionId });
      // overlap "queue": the next tick runs although the first has not.
      expect((await runScheduleTick(deps, { instanceId: instance.id, flowKey: "yearly", tickAt: new Date("2031-01-01T00:00:00.000Z") })).outcome).toBe("recorded");

      for (const r of workerRedis) started.push(startScheduleWorker({ db, redis: r, queue, logger: testLogger, prefix: redisPrefix }));
      started.push(startTestExecutor({ db, redis, redisPrefix }));

      const until = Date.now() + 40_000;
      let done = 0;
      while (done < 2) {
        if (Date.now() > until) throw new Error(`only ${done} scheduled runs finished`);
        await new Promise((r) => setTimeout(r, 250));
        done = await db.execution.count({ where: { instanceId: instance.id, flowKey: "everySecond", status: "SUCCEEDED" } });
      }
      await pauseInstance(scope, { instanceId: instance.id });
      expect(await ticks.getJobScheduler(schedulerId(instance.id, "everySecond"))).toBeUndefined();

      const runs = await db.execution.findMany({ where: { instanceId: instance.id, flowKey: "everySecond" }, orderBy: { queuedAt: "asc" } });
      expect(runs.every((r) => r.triggerType === "SCHEDULE" && r.idempotencyKey?.startsWith("schedule:"))).toBe(true);
      expect(new Set(runs.map((r) => r.idempotencyKey)).size).toBe(runs.length);
      // overlap "skip": a run outlasting its tick means the next ticks record nothing, so runs never overlap.
      const finished = runs.filter((r) => r.status === "SUCCEEDED");
      for (let i = 1; i < finished.length; i++) expect(finished[i]!.startedAt!.getTime()).toBeGreaterThanOrEqual(finished[i - 1]!.finishedAt!.getTime());
    } finally {
      for (const s of started) await s.close();
      for (const r of workerRedis) r.disconnect();
      useRunQueuesForTests(undefined);
      await ticks.close();
      await queue.close();
    }
  });
});
