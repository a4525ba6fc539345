import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { rolloutStats } from "./rollout-stats";

// The automatic half of the canary: every executor looks at the open rollouts now and then and
// rolls back a slice that fails clearly more than the old version (canary-rule.ts). The roll
// back itself is a server service (it re-validates configs and writes the audit trail), handed
// in by the worker's wiring so the engine does not import the server.

export interface CheckRolloutsDeps {
  db: Db;
  logger: Logger;
  /** Rolls the slice back and marks the rollout ROLLED_BACK (autoHalted); must be a no-op if it is no longer CANARY. */
  halt: (rollout: { id: string; organizationId: string }, reason: string) => Promise<void>;
}

export async function checkRolloutsOnce(deps: CheckRolloutsDeps): Promise<{ checked: number; halted: number }> {
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
    await deps.halt(rollout, stats.verdict.reason);
    halted++;
  }
  return { checked: open.length, halted };
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
