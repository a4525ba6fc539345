import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import type { ExecutionsQueue } from "@/lib/queues";
import type { Redis } from "@/lib/redis";
import { createScheduleTicksQueue, type ScheduleTicksQueue } from "./schedule-ticks-queue";
import { startScheduleWorker } from "./start-schedule-worker";
import { syncAllSchedules } from "./sync-schedules";

/**
 * Written beside the job schedulers (same Redis, same prefix) when a full pass starts. Redis
 * emptied (FLUSHALL, a new empty instance) loses it together with the schedulers, so one EXISTS
 * per check period tells whether they must be registered again — whatever the instance count.
 */
export const SCHEDULES_MARKER = "portico-schedules-synced";

export function schedulesMarkerKey(ticks: ScheduleTicksQueue): string {
  return ticks.toKey(SCHEDULES_MARKER);
}

/**
 * The executor's share of scheduling: a worker that turns ticks into runs, and passes that
 * register every ACTIVE instance's schedules again — at start, every `resyncMs` (a failed sync,
 * a scheduler lost some other way), and at once when the marker is found missing (checked every
 * `checkMs`, the reconcile period): Redis was emptied, so its schedulers went with it.
 *
 * The marker is set *before* a pass registers anything: Redis emptied during the pass takes the
 * marker too and the next check starts over; a pass that fails deletes it, so the next check
 * retries. After a wipe, SET NX lets one executor of many do the re-registration. Exactly-once
 * per tick does not depend on any of this (the tick's idempotency key in PostgreSQL).
 */
export function startScheduling(o: {
  db: Db;
  redis: Redis;
  queue: ExecutionsQueue;
  logger: Logger;
  prefix?: string;
  resyncMs?: number;
  /** How often the marker is checked (one Redis EXISTS); default 15 s. */
  checkMs?: number;
}) {
  const ticks = createScheduleTicksQueue(o.redis, o.prefix);
  ticks.on("error", (err) => o.logger.warn({ err: err.message }, "schedule-ticks queue error"));
  const worker = startScheduleWorker(o);
  const marker = schedulesMarkerKey(ticks);
  let running: Promise<unknown> | null = null;
  let stopped = false;

  const syncAll = async () => {
    try {
      const { instances } = await syncAllSchedules({ db: o.db, queue: ticks, logger: o.logger });
      return instances;
    } catch (err) {
      await o.redis.del(marker).catch(() => {});
      throw err;
    }
  };
  const guarded = (what: string, fn: () => Promise<unknown>) => {
    if (running || stopped) return;
    running = fn()
      .catch((err: unknown) => o.logger.warn({ err }, `${what} failed; the next pass retries`))
      .finally(() => {
        running = null;
      });
  };
  const pass = () =>
    guarded("schedule resync", async () => {
      await o.redis.set(marker, String(Date.now()));
      await syncAll();
    });
  const check = () =>
    guarded("schedule marker check", async () => {
      const client = o.redis;
      if (await client.exists(marker)) return;
      // Only the executor that sets it re-registers; the others see it set on their next check.
      if ((await client.set(marker, String(Date.now()), "NX")) !== "OK") return;
      o.logger.warn("schedules missing from Redis (emptied or replaced); registering every ACTIVE instance's schedules again");
      const instances = await syncAll();
      o.logger.warn({ instances }, "schedules re-registered after Redis lost them");
    });

  pass();
  const resyncTimer = setInterval(pass, o.resyncMs ?? 5 * 60_000);
  resyncTimer.unref();
  const checkTimer = setInterval(check, o.checkMs ?? 15_000);
  checkTimer.unref();
  return {
    async close() {
      stopped = true;
      clearInterval(resyncTimer);
      clearInterval(checkTimer);
      await running;
      await worker.close();
      await ticks.close();
    },
  };
}
