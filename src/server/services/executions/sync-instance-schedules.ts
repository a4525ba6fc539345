import { syncSchedules } from "@/engine/schedules/sync-schedules";
import type { Db } from "@/lib/db";
import { createLogger } from "@/lib/logger";
import { getSchedulesQueue } from "./run-queues";

const log = createLogger("schedules");

/**
 * Makes an instance's schedules (BullMQ job schedulers) match its row, after the instance
 * services changed it (deploy, pause, resume, upgrade, delete). Best effort: the row is the
 * truth, executors re-register every ACTIVE instance's schedules at start-up and periodically,
 * and a tick of an instance that is no longer ACTIVE records nothing.
 */
export async function syncInstanceSchedules(db: Db, instanceIds: string | string[], opts: { previousVersionId?: string } = {}): Promise<void> {
  for (const id of Array.isArray(instanceIds) ? instanceIds : [instanceIds]) {
    try {
      await syncSchedules({ db, queue: getSchedulesQueue, logger: log }, id, opts);
    } catch (err) {
      log.warn({ err, instanceId: id }, "could not sync the instance's schedules; the periodic sync will");
    }
  }
}
