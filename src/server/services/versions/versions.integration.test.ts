import { afterAll, beforeAll, describe, expect } from "vitest";
import { checkRolloutsOnce } from "@/engine/rollouts/check-rollouts";
import { seedOrdersInstance, testLogger } from "@/engine/testing/walking-skeleton";
import type { Db } from "@/lib/db";
import { dbTest } from "@/test/db-test";
import { pauseInstance } from "../instances/pause-instance";
import { upgradeInstance } from "../instances/upgrade-instance";
import { pauseVersion, resumeVersion } from "./kill-switch";
import { continueRollout as askContinue, rollBackRollout as askRollBack, startRollout as askStart } from "./rollouts";
import { useRolloutsQueueForTests } from "./rollouts-queue";
import { runRollout } from "./run-rollout";
import { deployFor, ordersRequiredFieldSource, ordersV2Source, publishSource } from "./upgrade-fixtures";

const NOWHERE = { sandboxUrl: "http://127.0.0.1:9" };

// The requests only record a rollout step; these tests do the step themselves, as the
// executor's rollouts worker would (rollout-jobs.integration.test.ts covers the queue).
beforeAll(() => useRolloutsQueueForTests(undefined));
afterAll(() => useRolloutsQueueForTests(false));

async function settled(db: Db, rolloutId: string) {
  await runRollout(db, rolloutId);
  return db.rollout.findUniqueOrThrow({ where: { id: rolloutId } });
}
const startRollout = async (scope: Parameters<typeof askStart>[0], input: Parameters<typeof askStart>[1]) => settled(scope.db, (await askStart(scope, input)).id);
const continueRollout = async (scope: Parameters<typeof askContinue>[0], input: { rolloutId: string }) => settled(scope.db, (await askContinue(scope, input)).id);
const rollBackRollout = async (scope: Parameters<typeof askRollBack>[0], input: { rolloutId: string }) => settled(scope.db, (await askRollBack(scope, input)).id);

async function versionOf(db: Db, instanceId: string) {
  return (await db.instance.findUniqueOrThrow({ where: { id: instanceId }, include: { version: { select: { number: true } } } })).version.number;
}

/** Finished runs of one instance on one version, written as the executor would leave them. */
async function finishedRuns(db: Db, instance: { id: string; organizationId: string; customerId: string }, versionId: string, status: "SUCCEEDED" | "FAILED", n: number) {
  const at = new Date();
  await db.execution.createMany({
    data: Array.from({ length: n }, () => ({
      organizationId: instance.organizationId,
      instanceId: instance.id,
      customerId: instance.customerId,
      versionId,
      flowKey: "onOrder",
      triggerType: "WEBHOOK" as const,
      status,
      attempt: 1,
      startedAt: at,
      finishedAt: at,
      ...(status === "FAILED" && { errorClass: "BUG" as const }),
    })),
  });
}

describe("kill switch", () => {
  dbTest("pausing a version pauses exactly its active instances, and resuming it resumes exactly those", async ({ db }) => {
    const { scope, instance: a, version: v1 } = await seedOrdersInstance(db, NOWHERE);
    const b = await deployFor(scope, v1.id, "held-by-support");
    await pauseInstance(scope, { instanceId: b.id, reason: "customer asked" });
    const v2 = await publishSource(scope, ordersV2Source());
    const c = await deployFor(scope, v2.id, "on-v2", [], { warehouseCode: "X" });

    expect(await pauseVersion(scope, { versionId: v1.id })).toEqual({ paused: 1 });
    const after = async () => Object.fromEntries((await db.instance.findMany({ select: { id: true, status: true, statusReason: true } })).map((i) => [i.id, [i.status, i.statusReason]]));
    expect(await after()).toEqual({
      [a.id]: ["PAUSED", "version 1 paused by Portico"],
      [b.id]: ["PAUSED", "customer asked"],
      [c.id]: ["ACTIVE", null],
    });
    expect((await db.integrationVersion.findUniqueOrThrow({ where: { id: v1.id } })).paused).toBe(true);
    // A paused version is no upgrade target.
    await expect(upgradeInstance(scope, { instanceId: c.id, version: 1 })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("paused") });

    expect(await resumeVersion(scope, { versionId: v1.id })).toEqual({ resumed: 1 });
    expect(await after()).toEqual({
      [a.id]: ["ACTIVE", null],
      [b.id]: ["PAUSED", "customer asked"],
      [c.id]: ["ACTIVE", null],
    });
  });
});

describe("canary rollouts", () => {
  dbTest("a slice by label moves only those customers' instances; continue moves the rest", async ({ db }) => {
    const { scope, instance: first, version: v1 } = await seedOrdersInstance(db, NOWHERE);
    const beta = await deployFor(scope, v1.id, "beta-co", ["beta"]);
    const other = await deployFor(scope, v1.id, "other-co");
    const v2 = await publishSource(scope, ordersV2Source());

    const rollout = await startRollout(scope, { fromVersionId: v1.id, toVersionId: v2.id, slice: { kind: "label", label: "beta" } });
    expect(rollout).toMatchObject({ status: "CANARY", instanceIds: [beta.id] });
    expect([await versionOf(db, first.id), await versionOf(db, beta.id), await versionOf(db, other.id)]).toEqual([1, 2, 1]);
    await expect(startRollout(scope, { fromVersionId: v1.id, toVersionId: v2.id, slice: { kind: "count", count: 1 } })).rejects.toMatchObject({ code: "CONFLICT" });

    const done = await continueRollout(scope, { rolloutId: rollout.id });
    expect(done).toMatchObject({ status: "COMPLETED", decision: expect.stringContaining("2 more upgraded") });
    expect([await versionOf(db, first.id), await versionOf(db, other.id)]).toEqual([2, 2]);
  });

  dbTest("a slice by count or percentage; rolling it back returns exactly the slice", async ({ db }) => {
    const { scope, instance: first, version: v1 } = await seedOrdersInstance(db, NOWHERE);
    const more = [await deployFor(scope, v1.id, "c2"), await deployFor(scope, v1.id, "c3"), await deployFor(scope, v1.id, "c4")];
    const v2 = await publishSource(scope, ordersV2Source());

    const byCount = await startRollout(scope, { fromVersionId: v1.id, toVersionId: v2.id, slice: { kind: "count", count: 2 } });
    expect(byCount.instanceIds).toEqual([first.id, more[0]!.id]);
    const back = await rollBackRollout(scope, { rolloutId: byCount.id });
    expect(back).toMatchObject({ status: "ROLLED_BACK", autoHalted: false, decision: "rolled back by Portico" });
    expect(await Promise.all([first, ...more].map((i) => versionOf(db, i.id)))).toEqual([1, 1, 1, 1]);

    const byPercent = await startRollout(scope, { fromVersionId: v1.id, toVersionId: v2.id, slice: { kind: "percent", percent: 25 } });
    expect(byPercent.instanceIds).toEqual([first.id]);
  });

  dbTest("a slice whose configs all fail the new version closes the rollout at once, listing why", async ({ db }) => {
    const { scope, instance, version: v1 } = await seedOrdersInstance(db, NOWHERE);
    const v2 = await publishSource(scope, ordersRequiredFieldSource());
    const rollout = await startRollout(scope, { fromVersionId: v1.id, toVersionId: v2.id, slice: { kind: "count", count: 1 } });
    expect(rollout).toMatchObject({ status: "ROLLED_BACK", instanceIds: [], skipped: [{ instanceId: instance.id, reason: expect.stringContaining("priceList") }] });
    expect(await versionOf(db, instance.id)).toBe(1);
  });

  dbTest("a roll back asked while the slice is still moving returns exactly the instances that moved", async ({ db }) => {
    const { scope, instance: first, version: v1 } = await seedOrdersInstance(db, NOWHERE);
    const more = [await deployFor(scope, v1.id, "m2"), await deployFor(scope, v1.id, "m3"), await deployFor(scope, v1.id, "m4")];
    const v2 = await publishSource(scope, ordersV2Source());
    const asked = await askStart(scope, { fromVersionId: v1.id, toVersionId: v2.id, slice: { kind: "count", count: 4 } });
    await runRollout(db, asked.id, { batchSize: 2, maxBatches: 1 });
    expect(await Promise.all([first, ...more].map((i) => versionOf(db, i.id)))).toEqual([2, 2, 1, 1]);

    await askRollBack(scope, { rolloutId: asked.id });
    await runRollout(db, asked.id, { batchSize: 2 });
    expect(await Promise.all([first, ...more].map((i) => versionOf(db, i.id)))).toEqual([1, 1, 1, 1]);
    expect(await db.rollout.findUniqueOrThrow({ where: { id: asked.id } })).toMatchObject({ status: "ROLLED_BACK", op: "ROLLBACK", opTotal: 2, opDone: 2, opFailed: 0 });
    // The rest of the slice was never moved.
    expect(await db.instanceUpgrade.count({ where: { rolloutId: asked.id, toVersionId: v2.id } })).toBe(2);
  });

  dbTest("the executor's check rolls the slice back when it fails clearly more than the old version", async ({ db }) => {
    const { scope, instance: first, version: v1 } = await seedOrdersInstance(db, NOWHERE);
    const rest = [await deployFor(scope, v1.id, "r2"), await deployFor(scope, v1.id, "r3")];
    const v2 = await publishSource(scope, ordersV2Source());
    const rollout = await startRollout(scope, { fromVersionId: v1.id, toVersionId: v2.id, slice: { kind: "count", count: 1 } });

    // 19 failures: not enough runs to judge yet.
    await finishedRuns(db, first, v2.id, "FAILED", 19);
    await finishedRuns(db, rest[0]!, v1.id, "SUCCEEDED", 30);
    await finishedRuns(db, rest[1]!, v1.id, "FAILED", 1);
    expect(await checkRolloutsOnce({ db, logger: testLogger })).toMatchObject({ checked: 1, halted: 0 });

    await finishedRuns(db, first, v2.id, "SUCCEEDED", 1);
    expect(await checkRolloutsOnce({ db, logger: testLogger })).toMatchObject({ checked: 1, halted: 1 });
    // The halt is decided at once; the slice goes back when the rollouts worker does the step.
    expect(await versionOf(db, first.id)).toBe(2);
    await runRollout(db, rollout.id);

    const halted = await db.rollout.findUniqueOrThrow({ where: { id: rollout.id } });
    expect(halted).toMatchObject({ status: "ROLLED_BACK", autoHalted: true });
    expect(halted.decision).toBe("halted automatically: slice 19/20 failed (95 %), old version 1/31 (3.2 %)");
    expect(await versionOf(db, first.id)).toBe(1);
    expect(await Promise.all(rest.map((i) => versionOf(db, i.id)))).toEqual([1, 1]);
    // Decided rollouts are not checked again.
    expect(await checkRolloutsOnce({ db, logger: testLogger })).toMatchObject({ checked: 0, halted: 0 });
  });
});
