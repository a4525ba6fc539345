import { describe, expect } from "vitest";
import type { ExecutionStatus } from "@/generated/prisma/client";
import type { Db } from "@/lib/db";
import { dbTest } from "@/test/db-test";
import { appRouter } from "@/server/routers/_app";
import { contextFor, seedTenant, type SeededTenant } from "@/server/testing/seed-tenant";
import { testLogger } from "../testing/walking-skeleton";
import { deleteExpiredRuns } from "./delete-expired-runs";
import { RETENTION_SCHEDULER_ID, startRetention } from "./start-retention";

const DAY = 24 * 60 * 60_000;

async function run(db: Db, t: SeededTenant, status: ExecutionStatus, ageDays: number): Promise<string> {
  const at = new Date(Date.now() - ageDays * DAY);
  const finished = status === "SUCCEEDED" || status === "FAILED" || status === "CANCELLED";
  const row = await db.execution.create({
    data: {
      organizationId: t.organizationId,
      instanceId: t.instance.id,
      customerId: t.customer.id,
      versionId: t.version.id,
      flowKey: "onOrder",
      triggerType: "WEBHOOK",
      status,
      queuedAt: at,
      finishedAt: finished ? at : null,
      steps: { create: { organizationId: t.organizationId, seq: 0, name: "s", status: "SUCCEEDED" } },
      logs: { create: { organizationId: t.organizationId, level: "INFO", message: "m" } },
      httpExchanges: { create: { organizationId: t.organizationId, method: "GET", url: "http://x.test/" } },
    },
  });
  return row.id;
}

async function exists(db: Db, id: string) {
  return (await db.execution.count({ where: { id } })) === 1;
}

describe("retention", () => {
  dbTest("deletes finished runs past the organization's period with their steps, logs and exchanges; never a pending run", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const b = await seedTenant(db, "b");
    await appRouter.createCaller(contextFor(db, a.users.OWNER.userId)).org.updateRetention({ retentionDays: 7 });

    const oldSucceeded = await run(db, a, "SUCCEEDED", 40);
    const oldFailed = await run(db, a, "FAILED", 10);
    const oldCancelled = await run(db, a, "CANCELLED", 8);
    const pending = await Promise.all((["QUEUED", "RETRYING", "RUNNING"] as const).map((s) => run(db, a, s, 100)));
    const recent = await run(db, a, "SUCCEEDED", 3);
    const otherOrg = await run(db, b, "SUCCEEDED", 10); // b keeps the default 30 days
    // A replay of an expired run outlives it (replayOfId is set to null).
    const replay = await db.execution.update({ where: { id: recent }, data: { replayOfId: oldSucceeded } });

    // Batches of 2: the 3 expired runs of a take two statements.
    expect(await deleteExpiredRuns(db, { batchSize: 2, logger: testLogger })).toEqual({ deleted: 3, organizations: 1 });

    for (const id of [oldSucceeded, oldFailed, oldCancelled]) expect(await exists(db, id)).toBe(false);
    for (const id of [...pending, recent, otherOrg]) expect(await exists(db, id)).toBe(true);
    const gone = [oldSucceeded, oldFailed, oldCancelled];
    expect(await db.stepRun.count({ where: { executionId: { in: gone } } })).toBe(0);
    expect(await db.logEntry.count({ where: { executionId: { in: gone } } })).toBe(0);
    expect(await db.httpExchange.count({ where: { executionId: { in: gone } } })).toBe(0);
    expect(await db.stepRun.count({ where: { executionId: { in: [...pending, recent] } } })).toBe(4);
    expect((await db.execution.findUniqueOrThrow({ where: { id: replay.id } })).replayOfId).toBeNull();
    // The seeded run of b (a minute old) and its records are untouched.
    expect(await db.logEntry.count({ where: { id: b.log.id } })).toBe(1);

    expect(await deleteExpiredRuns(db)).toEqual({ deleted: 0, organizations: 0 });
  });

  dbTest("only owners change the period; the change is audit-logged and every member can read it", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const owner = appRouter.createCaller(contextFor(db, a.users.OWNER.userId));
    const builder = appRouter.createCaller(contextFor(db, a.users.BUILDER.userId));
    const support = appRouter.createCaller(contextFor(db, a.users.SUPPORT.userId));

    expect(await support.org.retention()).toEqual({ retentionDays: 30, expiredRuns: 0 });
    await expect(builder.org.updateRetention({ retentionDays: 1 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(owner.org.updateRetention({ retentionDays: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await run(db, a, "SUCCEEDED", 10);
    expect(await owner.org.updateRetention({ retentionDays: 7 })).toEqual({ retentionDays: 7, expiredRuns: 1 });
    expect(await builder.org.retention()).toEqual({ retentionDays: 7, expiredRuns: 1 });
    const audit = await db.auditLog.findFirstOrThrow({ where: { organizationId: a.organizationId, action: "organization.retentionChanged" } });
    expect(audit).toMatchObject({ actorId: a.users.OWNER.userId, data: { from: 30, to: 7 } });
  });

  dbTest("every executor registers the same job scheduler: one per deployment, and its job cleans up", async ({ db, redis, redisPrefix }) => {
    const a = await seedTenant(db, "a");
    const expired = await run(db, a, "SUCCEEDED", 40);
    const first = startRetention({ db, redis, logger: testLogger, prefix: redisPrefix });
    const second = startRetention({ db, redis, logger: testLogger, prefix: redisPrefix });
    try {
      const until = Date.now() + 20_000;
      while (await exists(db, expired)) {
        if (Date.now() > until) throw new Error("the scheduler's first job did not clean up");
        await new Promise((r) => setTimeout(r, 100));
      }
      const schedulers = await first.queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key)).toEqual([RETENTION_SCHEDULER_ID]);
    } finally {
      await first.close();
      await second.close();
    }
  });

  dbTest("a cleanup scheduler lost with Redis is registered again by the executors' check", async ({ db, redis, redisPrefix }) => {
    const retention = startRetention({ db, redis, logger: testLogger, prefix: redisPrefix, checkMs: 200 });
    try {
      const waitFor = async (what: string, probe: () => Promise<boolean>) => {
        const until = Date.now() + 20_000;
        while (!(await probe())) {
          if (Date.now() > until) throw new Error(`${what}: not within 20 s`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const present = async () => (await retention.queue.getJobScheduler(RETENTION_SCHEDULER_ID)) !== undefined;
      await waitFor("registered at start", present);
      await retention.queue.removeJobScheduler(RETENTION_SCHEDULER_ID); // what a Redis wipe does to it
      expect(await present()).toBe(false);
      await waitFor("registered again", present);
      expect((await retention.queue.getJobSchedulers()).map((s) => s.key)).toEqual([RETENTION_SCHEDULER_ID]);
    } finally {
      await retention.close();
    }
  });
});
