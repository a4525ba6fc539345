import { beginStep, requestRolloutWork, type StepActor } from "@/engine/rollouts/rollout-steps";
import type { Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { RolloutsQueue } from "@/lib/queues";
import { recordAudit } from "../audit/record-audit";
import { checkTarget } from "../instances/upgrade-instance";
import { getOwnedVersion, inOrg } from "../../tenancy/owned";
import { actorRef, type OrgScope } from "../../tenancy/scope";
import { actorName } from "./actor-name";
import { getRolloutsQueue } from "./rollouts-queue";
import { describeSlice, SliceSpec } from "./rollout-slice";

// A bulk upgrade with a canary: start moves a slice of the old version's instances to the new
// one; the console then shows the slice's failure rate beside the rest's (rollout-stats.ts);
// continue moves everyone else, roll back returns the slice. The executor halts (rolls back)
// a slice that fails clearly more than the old version on its own (engine/rollouts).
//
// These calls only decide and record: the moving is a step on the Rollout row, done in batches
// by the executor's rollouts worker (run-rollout.ts), so a request returns at once with the
// rollout and its progress (op, opTotal/opDone/opFailed) even for thousands of instances.

type Opts = { queue?: RolloutsQueue };

async function openRollout(scope: OrgScope, rolloutId: string) {
  const rollout = await scope.db.rollout.findFirst({ where: { id: rolloutId, ...inOrg(scope) } });
  if (!rollout) throw new AppError("NOT_FOUND", "rollout not found");
  return rollout;
}

function alreadyDecided(status: string): AppError {
  return new AppError("CONFLICT", `the rollout is already ${status.toLowerCase().replace("_", " ")}`);
}

export interface StartRolloutInput {
  fromVersionId: string;
  toVersionId: string;
  slice: SliceSpec;
}

/** How many instances of the version the slice would pick now (the worker picks them for real). */
async function sliceSize(scope: OrgScope, fromVersionId: string, slice: SliceSpec): Promise<number> {
  const onFrom = { ...inOrg(scope), versionId: fromVersionId, deletedAt: null };
  switch (slice.kind) {
    case "count":
      return Math.min(slice.count, await scope.db.instance.count({ where: onFrom }));
    case "percent":
      return Math.ceil(((await scope.db.instance.count({ where: onFrom })) * slice.percent) / 100);
    case "label":
      return scope.db.instance.count({ where: { ...onFrom, customer: { labels: { has: slice.label } } } });
  }
}

export async function startRollout(scope: OrgScope, input: StartRolloutInput, opts: Opts = {}) {
  const from = await getOwnedVersion(scope, input.fromVersionId);
  const to = await getOwnedVersion(scope, input.toVersionId);
  checkTarget(from, to);
  const busy = await scope.db.rollout.findFirst({
    where: { ...inOrg(scope), integrationId: from.integrationId, OR: [{ status: "CANARY" }, { op: { not: null }, opFinishedAt: null }] },
    select: { id: true, status: true },
  });
  if (busy)
    throw new AppError(
      "CONFLICT",
      busy.status === "CANARY"
        ? "another rollout of this integration is still in its canary phase: continue or roll it back first"
        : "another rollout of this integration is still moving instances: wait until it is done",
      { rolloutId: busy.id },
    );
  if ((await sliceSize(scope, from.id, input.slice)) === 0)
    throw new AppError("BAD_INPUT", `no instance of version ${from.number} is in the slice (${describeSlice(input.slice)})`);

  const { actorId } = actorRef(scope.actor);
  const rollout = await scope.db.rollout.create({
    data: {
      organizationId: scope.organizationId,
      integrationId: from.integrationId,
      fromVersionId: from.id,
      toVersionId: to.id,
      slice: input.slice as Prisma.InputJsonValue,
      instanceIds: [],
      startedById: actorId,
      startedBy: await actorName(scope),
      ...beginStep("START", scope.actor as StepActor),
    },
  });
  await recordAudit(scope, { action: "rollout.started", targetType: "rollout", targetId: rollout.id, data: { from: from.number, to: to.number, slice: input.slice } });
  await requestRolloutWork(opts.queue ?? getRolloutsQueue(), rollout.id);
  return rollout;
}

/** Decides to move every remaining instance of the old version to the new one (the worker does it). */
export async function continueRollout(scope: OrgScope, input: { rolloutId: string }, opts: Opts = {}) {
  const rollout = await openRollout(scope, input.rolloutId);
  if (rollout.status !== "CANARY") throw alreadyDecided(rollout.status);
  const from = await getOwnedVersion(scope, rollout.fromVersionId);
  const to = await getOwnedVersion(scope, rollout.toVersionId);
  checkTarget(from, to);
  const claimed = await scope.db.rollout.updateMany({
    where: { id: rollout.id, status: "CANARY" },
    data: { status: "COMPLETED", decidedAt: new Date(), decision: `continued by ${await actorName(scope)}`, ...beginStep("CONTINUE", scope.actor as StepActor) },
  });
  if (claimed.count === 0) throw new AppError("CONFLICT", "the rollout was decided meanwhile");
  await recordAudit(scope, { action: "rollout.continued", targetType: "rollout", targetId: rollout.id, data: { from: from.number, to: to.number } });
  await requestRolloutWork(opts.queue ?? getRolloutsQueue(), rollout.id);
  return scope.db.rollout.findUniqueOrThrow({ where: { id: rollout.id } });
}

/**
 * Decides to return the slice to the old version (each instance gets back the config it had
 * there; the worker does it). The executor's automatic halt is engine/rollouts/rollout-steps.ts.
 */
export async function rollBackRollout(scope: OrgScope, input: { rolloutId: string }, opts: Opts = {}) {
  const rollout = await openRollout(scope, input.rolloutId);
  if (rollout.status !== "CANARY") throw alreadyDecided(rollout.status);
  const decision = `rolled back by ${await actorName(scope)}`;
  const claimed = await scope.db.rollout.updateMany({
    where: { id: rollout.id, status: "CANARY" },
    data: { status: "ROLLED_BACK", decidedAt: new Date(), decision, autoHalted: false, ...beginStep("ROLLBACK", scope.actor as StepActor) },
  });
  if (claimed.count === 0) throw new AppError("CONFLICT", "the rollout was decided meanwhile");
  await recordAudit(scope, { action: "rollout.rolledBack", targetType: "rollout", targetId: rollout.id, data: { reason: decision } });
  await requestRolloutWork(opts.queue ?? getRolloutsQueue(), rollout.id);
  return scope.db.rollout.findUniqueOrThrow({ where: { id: rollout.id } });
}
