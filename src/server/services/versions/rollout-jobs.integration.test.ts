import { afterAll, beforeAll, describe, expect, vi } from "vitest";
import { checkRolloutsOnce } from "@/engine/rollouts/check-rollouts";
import { startRolloutWorker } from "@/engine/rollouts/start-rollout-worker";
import { seedOrdersInstance, testLogger } from "@/engine/testing/walking-skeleton";
import type { Db } from "@/lib/db";
import { dbTest } from "@/test/db-test";
import { attemptUpgrade } from "../instances/upgrade-instance";
import type { OrgScope } from "../../tenancy/scope";
import { continueRollout, startRollout } from "./rollouts";
import { useRolloutsQueueForTests } from "./rollouts-queue";
import { runRollout } from "./run-rollout";
import { ordersV2Source, publishSource } from "./upgrade-fixtures";

// Rollouts to many instances are a job: the request records the step, the rollouts worker moves
// instances in batches with progress on the Rollout row, and a worker that dies half-way is
// resumed without upgrading anyone twice.

const NOWHERE = { sandboxUrl: "http://127.0.0.1:9" };

beforeAll(() => useRolloutsQueueForTests(undefined));
afterAll(() => useRolloutsQueueForTests(false));

/**
 * `n` more instances of the seeded one's version, inserted in bulk (bound to its ERP connection).
 * The last `refused` have a customer account that is not text, which version 2's schema refuses.
 */
async function manyInstances(db: Db, seeded: Awaited<ReturnType<typeof seedOrdersInstance>>, n: number, refused = 0) {
  const base = Date.now() - 60_000;
  const rows = await db.instance.createManyAndReturn({
    data: Array.from({ length: n }, (_, i) => ({
      organizationId: seeded.org.id,
      customerId: seeded.customer.id,
      integrationId: seeded.instance.integrationId,
      versionId: seeded.version.id,
      name: `bulk ${i}`,
      config: i >= n - refused ? { warehouse: "MAIN", customerAccount: 42 } : { warehouse: "MAIN" },
      createdAt: new Date(base + i),
    })),
    select: { id: true },
  });
  await db.instanceConnection.createMany({
    data: rows.map((r) => ({ organizationId: seeded.org.id, instanceId: r.id, key: "erp", connectionId: seeded.connection.id })),
  });
  return rows.map((r) => r.id);
}

async function onVersion(db: Db, versionId: string) {
  return db.instance.count({ where: { versionId } });
}

/** Instances this rollout upgraded more than once (must stay empty). */
async function upgradedTwice(db: Db, rolloutId: string) {
  const rows = await db.instanceUpgrade.groupBy({ by: ["instanceId", "toVersionId"], where: { rolloutId, status: "SUCCEEDED" }, _count: { _all: true } });
  return rows.filter((r) => r._count._all > 1);
}

describe("rollouts as jobs", () => {
  dbTest("a rollout to 200 instances moves them in batches with progress on the rollout, and resumes after a worker dies without double upgrades", async ({ db }) => {
    const seeded = await seedOrdersInstance(db, NOWHERE);
    const scope: OrgScope = seeded.scope;
    await manyInstances(db, seeded, 199, 3);
    const v2 = await publishSource(scope, ordersV2Source());

    // The request only records the step: nothing has moved when it returns.
    const asked = await startRollout(scope, { fromVersionId: seeded.version.id, toVersionId: v2.id, slice: { kind: "count", count: 20 } });
    expect(asked).toMatchObject({ status: "CANARY", op: "START", opFinishedAt: null, instanceIds: [] });
    expect(await onVersion(db, v2.id)).toBe(0);
    await runRollout(db, asked.id);
    const canary = await db.rollout.findUniqueOrThrow({ where: { id: asked.id } });
    expect(canary).toMatchObject({ status: "CANARY", op: "START", opTotal: 20, opDone: 20, opFailed: 0 });
    expect(canary.instanceIds).toHaveLength(20);
    expect(canary.opFinishedAt).not.toBeNull();

    await continueRollout(scope, { rolloutId: asked.id });
    // One batch of 50, then the worker "dies": the rollout shows how far it got.
    expect(await runRollout(db, asked.id, { maxBatches: 1 })).toEqual({ batches: 1, settled: false });
    const partway = await db.rollout.findUniqueOrThrow({ where: { id: asked.id } });
    expect(partway).toMatchObject({ status: "COMPLETED", op: "CONTINUE", opTotal: 180, opDone: 50, opFailed: 0, opFinishedAt: null });

    // It died in the middle of the next batch: two instances were upgraded but their targets not marked.
    const next = await db.rolloutTarget.findMany({ where: { rolloutId: asked.id, op: "CONTINUE", status: "PENDING" }, orderBy: { seq: "asc" }, take: 2 });
    const [from, to] = await Promise.all([seeded.version.id, v2.id].map((id) => db.integrationVersion.findUniqueOrThrow({ where: { id }, omit: { bundle: true } })));
    for (const t of next) {
      const instance = await db.instance.findUniqueOrThrow({ where: { id: t.instanceId } });
      expect(await attemptUpgrade(scope, instance, from!, to!, { rolloutId: asked.id })).toMatchObject({ ok: true });
    }

    // Another worker takes the job over and finishes.
    expect(await runRollout(db, asked.id)).toMatchObject({ settled: true });
    const done = await db.rollout.findUniqueOrThrow({ where: { id: asked.id } });
    expect(done).toMatchObject({ status: "COMPLETED", op: "CONTINUE", opTotal: 180, opDone: 177, opFailed: 3, decision: "continued by Portico: 177 more upgraded, 3 stayed on version 1" });
    expect(await onVersion(db, v2.id)).toBe(197);
    expect(await upgradedTwice(db, asked.id)).toEqual([]);
    // The instances whose config does not fit stay, and say why (on the rollout and on the instance).
    expect(done.skipped).toHaveLength(3);
    expect((done.skipped as { reason: string }[])[0]!.reason).toMatch(/the config does not fit version 2: customerAccount/);
    const stayed = await db.instance.findMany({ where: { versionId: seeded.version.id }, select: { statusReason: true } });
    expect(stayed.map((i) => i.statusReason)).toEqual(Array(3).fill(expect.stringContaining("Upgrade to version 2 failed")));

    // Running the finished job again changes nothing.
    expect(await runRollout(db, asked.id)).toEqual({ batches: 0, settled: true });
    expect(await db.instanceUpgrade.count({ where: { rolloutId: asked.id } })).toBe(200);
  });

  dbTest("the executor's rollouts worker does a step queued by the request, and the checker re-queues a step whose job was lost", async ({ db, redis, redisPrefix }) => {
    const seeded = await seedOrdersInstance(db, NOWHERE);
    await manyInstances(db, seeded, 59);
    const v2 = await publishSource(seeded.scope, ordersV2Source());
    const worker = startRolloutWorker({ redis, prefix: redisPrefix, logger: testLogger, run: (id) => runRollout(db, id, { batchSize: 20 }) });
    try {
      // Queued by nobody (Redis was down, or wiped): the step waits on the row ...
      const started = await startRollout(seeded.scope, { fromVersionId: seeded.version.id, toVersionId: v2.id, slice: { kind: "percent", percent: 10 } });
      // ... until the executor's periodic check queues it again.
      expect(await checkRolloutsOnce({ db, logger: testLogger, queue: worker.queue })).toMatchObject({ checked: 1, halted: 0, requeued: 1 });
      await vi.waitFor(async () => expect((await db.rollout.findUniqueOrThrow({ where: { id: started.id } })).opFinishedAt).not.toBeNull(), { timeout: 30_000, interval: 100 });
      expect(await onVersion(db, v2.id)).toBe(6);

      // Continue through the queue, as the console does.
      await continueRollout(seeded.scope, { rolloutId: started.id }, { queue: worker.queue });
      await vi.waitFor(async () => expect((await db.rollout.findUniqueOrThrow({ where: { id: started.id } })).opFinishedAt).not.toBeNull(), { timeout: 30_000, interval: 100 });
      expect(await db.rollout.findUniqueOrThrow({ where: { id: started.id } })).toMatchObject({ opTotal: 54, opDone: 54, opFailed: 0 });
      expect(await onVersion(db, v2.id)).toBe(60);
      expect(await upgradedTwice(db, started.id)).toEqual([]);
    } finally {
      await worker.close();
    }
  });
});
