import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import type { ExecutionsQueue } from "@/lib/queues";
import type { Redis } from "@/lib/redis";
import { createScheduleTicksQueue } from "./schedule-ticks-queue";
import { startScheduleWorker } from "./start-schedule-worker";
import { syncAllSchedules } from "./sync-schedules";

/**
 * The executor's share of scheduling: a worker that turns ticks into runs, and a periodic pass
 * that registers every ACTIVE instance's schedules again (at start and every `resyncMs`), so
 * schedules lost with Redis (restarted empty) or a failed sync come back by themselves.
 */
export function startScheduling(o: { db: Db; redis: Redis; queue: ExecutionsQueue; logger: Logger; prefix?: string; resyncMs?: number }) {
  const ticks = createScheduleTicksQueue(o.redis, o.prefix);
  ticks.on("error", (err) => o.logger.warn({ err: err.message }, "schedule-ticks queue error"));
  const worker = startScheduleWorker(o);
  let running: Promise<unknown> | null = null;
  const pass = () => {
    if (running) return;
    running = syncAllSchedules({ db: o.db, queue: ticks, logger: o.logger })
      .catch((err: unknown) => o.logger.warn({ err }, "schedule resync failed; the next pass retries"))
      .finally(() => {
        running = null;
      });
  };
  pass();
  const timer = setInterval(pass, o.resyncMs ?? 5 * 60_000);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await running;
      await worker.close();
      await ticks.close();
    },
  };
}
