import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import type { RolloutsQueue } from "@/lib/queues";
import { rolloutStats } from "./rollout-stats";
import { haltRollout, requestRolloutWork } from "./rollout-steps";

// The automatic half of the canary: every executor looks at the open rollouts now and then and
// halts a slice that fails clearly more than the old version (canary-rule.ts): the rollout is
// marked rolled back and the slice's return queued for the rollouts worker. The same pass
// queues again every rollout step still running, so a step whose job was lost (Redis wiped,
// the job failed out) resumes; while its job exists, queueing it again is a no-op.

export interface CheckRolloutsDeps {
  db: Db;
  logger: Logger;
  /** Where halts and resumed steps are queued (without one, halts are marked but their work waits). */
  queue?: RolloutsQueue;
}

export async function checkRolloutsOnce(deps: CheckRolloutsDeps): Promise<{ checked: number; halted: number; requeued: number }> {
  const open = await deps.db.rollout.findMany({
    where: { status: "CANARY" },
    select: { id: true, organizationId: true, fromVersionId: true, toVersionId: true, instanceIds: true, startedAt: true, decidedAt: true },
    take: 200,
  });
  let halted = 0;
  for (const rollout of open) {
    const stats = await rolloutStats(deps.db, rollout);
    if (!stats.verdict.halt) continue;
    deps.logger.warn({ rolloutId: rollout.id, reason: stats.verdict.reason }, "canary slice fails clearly more than the old version: rolling back");
    if (await haltRollout(deps, rollout, stats.verdict.reason)) halted++;
  }
  const running = await deps.db.rollout.findMany({ where: { op: { not: null }, opFinishedAt: null }, select: { id: true }, take: 1_000 });
  for (const r of running) await requestRolloutWork(deps.queue, r.id, deps.logger);
  return { checked: open.length, halted, requeued: deps.queue ? running.length : 0 };
}

/** checkRolloutsOnce every `intervalMs`, never two passes at once. */
export function startRolloutChecker(deps: CheckRolloutsDeps, opts: { intervalMs?: number } = {}): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = checkRolloutsOnce(deps)
      .catch((err: unknown) => deps.logger.warn({ err }, "rollout check failed; next pass retries"))
      .finally(() => {
        running = null;
      });
  }, opts.intervalMs ?? 30_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
