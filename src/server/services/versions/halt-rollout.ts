import type { Db } from "@/lib/db";
import { rollBackRollout } from "./rollouts";

/**
 * The automatic halt handed to the executor's rollout checker (engine/rollouts/check-rollouts):
 * Portico itself rolls the slice back, in the rollout's own organization.
 */
export function haltRolloutFor(db: Db) {
  return async (rollout: { id: string; organizationId: string }, reason: string): Promise<void> => {
    await rollBackRollout({ db, organizationId: rollout.organizationId, actor: { type: "system" } }, { rolloutId: rollout.id }, { auto: { reason } });
  };
}
