import type { Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit } from "../audit/record-audit";
import { attemptUpgrade, checkTarget, type UpgradeAttempt } from "../instances/upgrade-instance";
import { getOwnedVersion, inOrg } from "../../tenancy/owned";
import { actorRef, type OrgScope } from "../../tenancy/scope";
import { actorName } from "./actor-name";
import { describeSlice, selectSlice, type SliceSpec } from "./rollout-slice";

// A bulk upgrade with a canary: start moves a slice of the old version's instances to the new
// one; the console then shows the slice's failure rate beside the rest's (rollout-stats.ts);
// continue moves everyone else, roll back returns the slice. The executor halts (rolls back)
// a slice that fails clearly more than the old version on its own (engine/rollouts).

type Skipped = { instanceId: string; reason: string }[];

function skippedOf(results: UpgradeAttempt[]): Skipped {
  return results.flatMap((r) => (r.ok ? [] : [{ instanceId: r.instanceId, reason: r.reason }]));
}

async function openRollout(scope: OrgScope, rolloutId: string) {
  const rollout = await scope.db.rollout.findFirst({ where: { id: rolloutId, ...inOrg(scope) } });
  if (!rollout) throw new AppError("NOT_FOUND", "rollout not found");
  return rollout;
}

export interface StartRolloutInput {
  fromVersionId: string;
  toVersionId: string;
  slice: SliceSpec;
}

export async function startRollout(scope: OrgScope, input: StartRolloutInput) {
  const from = await getOwnedVersion(scope, input.fromVersionId);
  const to = await getOwnedVersion(scope, input.toVersionId);
  checkTarget(from, to);
  const busy = await scope.db.rollout.findFirst({ where: { ...inOrg(scope), integrationId: from.integrationId, status: "CANARY" }, select: { id: true } });
  if (busy) throw new AppError("CONFLICT", "another rollout of this integration is still in its canary phase: continue or roll it back first", { rolloutId: busy.id });

  const candidates = await scope.db.instance.findMany({
    where: { ...inOrg(scope), versionId: from.id, deletedAt: null },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, versionId: true, config: true, statusReason: true, integrationId: true, customer: { select: { labels: true } } },
  });
  const slice = selectSlice(candidates, input.slice);
  if (slice.length === 0) throw new AppError("BAD_INPUT", `no instance of version ${from.number} is in the slice (${describeSlice(input.slice)})`);

  const { actorId } = actorRef(scope.actor);
  const rollout = await scope.db.rollout.create({
    data: {
      organizationId: scope.organizationId,
      integrationId: from.integrationId,
      fromVersionId: from.id,
      toVersionId: to.id,
      slice: input.slice as Prisma.InputJsonValue,
      instanceIds: slice.map((i) => i.id),
      startedById: actorId,
      startedBy: await actorName(scope),
    },
  });
  const results: UpgradeAttempt[] = [];
  for (const instance of slice) results.push(await attemptUpgrade(scope, instance, from, to, { rolloutId: rollout.id }));
  const skipped = skippedOf(results);
  const updated = await scope.db.rollout.update({
    where: { id: rollout.id },
    // The slice is what actually runs the new version; instances that stayed are listed with why.
    data: {
      instanceIds: results.filter((r) => r.ok).map((r) => r.instanceId),
      ...(skipped.length && { skipped }),
      // Nothing moved: there is no canary to watch, and it must not block the next rollout.
      ...(skipped.length === results.length && {
        status: "ROLLED_BACK" as const,
        decidedAt: new Date(),
        decision: `no instance of the slice could be upgraded: ${skipped[0]!.reason}`,
      }),
    },
  });
  await recordAudit(scope, { action: "rollout.started", targetType: "rollout", targetId: rollout.id, data: { from: from.number, to: to.number, slice: input.slice, upgraded: updated.instanceIds.length, skipped: skipped.length } });
  return updated;
}

/** Moves every remaining instance of the old version to the new one. */
export async function continueRollout(scope: OrgScope, input: { rolloutId: string }) {
  const rollout = await openRollout(scope, input.rolloutId);
  if (rollout.status !== "CANARY") throw new AppError("CONFLICT", `the rollout is already ${rollout.status.toLowerCase().replace("_", " ")}`);
  const from = await getOwnedVersion(scope, rollout.fromVersionId);
  const to = await getOwnedVersion(scope, rollout.toVersionId);
  checkTarget(from, to);
  const claimed = await scope.db.rollout.updateMany({
    where: { id: rollout.id, status: "CANARY" },
    data: { status: "COMPLETED", decidedAt: new Date(), decision: `continued by ${await actorName(scope)}` },
  });
  if (claimed.count === 0) throw new AppError("CONFLICT", "the rollout was decided meanwhile");

  const rest = await scope.db.instance.findMany({
    where: { ...inOrg(scope), versionId: from.id, deletedAt: null },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, versionId: true, config: true, statusReason: true, integrationId: true },
  });
  const results: UpgradeAttempt[] = [];
  for (const instance of rest) results.push(await attemptUpgrade(scope, instance, from, to, { rolloutId: rollout.id }));
  const skipped = [...((rollout.skipped as Skipped | null) ?? []), ...skippedOf(results)];
  const upgraded = results.filter((r) => r.ok).map((r) => r.instanceId);
  const updated = await scope.db.rollout.update({
    where: { id: rollout.id },
    data: {
      decision: `continued by ${await actorName(scope)}: ${upgraded.length} more upgraded${skippedOf(results).length ? `, ${skippedOf(results).length} stayed on version ${from.number}` : ""}`,
      ...(skipped.length && { skipped }),
    },
  });
  await recordAudit(scope, { action: "rollout.continued", targetType: "rollout", targetId: rollout.id, data: { upgraded: upgraded.length, skipped: skippedOf(results).length } });
  return updated;
}

/**
 * Returns the slice to the old version (each instance gets back the config it had there).
 * `auto` marks the executor's automatic halt; a rollout no longer in its canary phase is left
 * alone (returns null), so two executors halting at once roll back once.
 */
export async function rollBackRollout(scope: OrgScope, input: { rolloutId: string }, opts: { auto?: { reason: string } } = {}) {
  const rollout = await openRollout(scope, input.rolloutId);
  if (rollout.status !== "CANARY") {
    if (opts.auto) return null;
    throw new AppError("CONFLICT", `the rollout is already ${rollout.status.toLowerCase().replace("_", " ")}`);
  }
  const decision = opts.auto ? opts.auto.reason : `rolled back by ${await actorName(scope)}`;
  const claimed = await scope.db.rollout.updateMany({
    where: { id: rollout.id, status: "CANARY" },
    data: { status: "ROLLED_BACK", decidedAt: new Date(), decision, autoHalted: Boolean(opts.auto) },
  });
  if (claimed.count === 0) {
    if (opts.auto) return null;
    throw new AppError("CONFLICT", "the rollout was decided meanwhile");
  }
  const from = await getOwnedVersion(scope, rollout.fromVersionId);
  const to = await getOwnedVersion(scope, rollout.toVersionId);
  const slice = await scope.db.instance.findMany({
    where: { ...inOrg(scope), id: { in: rollout.instanceIds }, versionId: to.id, deletedAt: null },
    select: { id: true, versionId: true, config: true, statusReason: true, integrationId: true },
  });
  const results: UpgradeAttempt[] = [];
  for (const instance of slice) {
    try {
      checkTarget(to, from);
      results.push(await attemptUpgrade(scope, instance, to, from, { rolloutId: rollout.id }));
    } catch (err) {
      results.push({ ok: false, instanceId: instance.id, from: { id: to.id, number: to.number }, to: { id: from.id, number: from.number }, reason: (err as Error).message });
    }
  }
  const failed = skippedOf(results);
  const updated = await scope.db.rollout.update({
    where: { id: rollout.id },
    data: {
      decision: `${decision}${failed.length ? `; ${failed.length} instance${failed.length > 1 ? "s" : ""} could not go back` : ""}`,
      ...(failed.length && { skipped: [...((rollout.skipped as Skipped | null) ?? []), ...failed] }),
    },
  });
  await recordAudit(scope, { action: opts.auto ? "rollout.halted" : "rollout.rolledBack", targetType: "rollout", targetId: rollout.id, data: { reason: decision, rolledBack: results.length - failed.length } });
  return updated;
}
