import type { RolloutOp } from "@/generated/prisma/client";
import type { Db, Prisma } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { enqueueRollout, type RolloutsQueue } from "@/lib/queues";

// A rollout step (start: move the slice; continue: move the rest; roll back: return the slice)
// is asked for by writing it on the Rollout row and queueing the rollout's job; the executor's
// rollouts worker does the work in batches (server/services/versions/run-rollout.ts). The row
// is the truth: a lost job only delays the step until the rollout checker queues it again.

/** Who asked for a step, as stored in Rollout.opActor (the shape of OrgScope's Actor). */
export type StepActor =
  | { type: "user"; userId: string; role: string }
  | { type: "apiKey"; apiKeyId: string }
  | { type: "system" };

/** The Rollout columns that begin `op`: progress reset, running until the worker finishes it. */
export function beginStep(op: RolloutOp, actor: StepActor) {
  return {
    op,
    opActor: actor as Prisma.InputJsonValue,
    opTotal: 0,
    opDone: 0,
    opFailed: 0,
    opStartedAt: new Date(),
    opFinishedAt: null,
  } satisfies Prisma.RolloutUpdateInput;
}

/** Queues the rollout's job; a Redis failure is logged, not thrown (the checker re-queues steps that still run). */
export async function requestRolloutWork(queue: RolloutsQueue | undefined, rolloutId: string, logger?: Logger): Promise<void> {
  if (!queue) return;
  try {
    await enqueueRollout(queue, rolloutId);
  } catch (err) {
    logger?.warn({ err: (err as Error).message, rolloutId }, "could not queue the rollout's job; the rollout checker will");
  }
}

/**
 * The automatic halt: marks a canary ROLLED_BACK (autoHalted) with the numbers that triggered
 * it and queues the roll back of its slice. A rollout no longer in its canary phase is left
 * alone (false), so two executors halting at once roll back once.
 */
export async function haltRollout(
  deps: { db: Db; queue?: RolloutsQueue; logger?: Logger },
  rollout: { id: string; organizationId: string },
  reason: string,
): Promise<boolean> {
  const claimed = await deps.db.rollout.updateMany({
    where: { id: rollout.id, status: "CANARY" },
    data: { status: "ROLLED_BACK", decidedAt: new Date(), decision: reason, autoHalted: true, ...beginStep("ROLLBACK", { type: "system" }) },
  });
  if (claimed.count === 0) return false;
  await deps.db.auditLog.create({
    data: { organizationId: rollout.organizationId, actorType: "system", actorId: null, action: "rollout.halted", targetType: "rollout", targetId: rollout.id, data: { reason } },
  });
  await requestRolloutWork(deps.queue, rollout.id, deps.logger);
  return true;
}
