import { env } from "@/lib/env";
import { createExecutionsQueue, type ExecutionsQueue } from "@/lib/queues";
import { createScheduleTicksQueue, type ScheduleTicksQueue } from "@/engine/schedules/schedule-ticks-queue";
import { getProducerRedis } from "../../producer-redis";

// The web process's producers for runs it starts itself (manual runs, replays) and for the
// schedules its instance services register. One of each per process, on the fail-fast producer
// connection; tests route them to their own Redis prefix with useRunQueuesForTests.

type Queues = { executions?: ExecutionsQueue; schedules?: ScheduleTicksQueue };
const globalForQueues = globalThis as unknown as { porticoRunQueues?: Queues; porticoRunQueuesOverride?: Queues };

function queues(): Queues {
  return (globalForQueues.porticoRunQueues ??= {});
}

export function getExecutionsQueue(): ExecutionsQueue {
  const override = globalForQueues.porticoRunQueuesOverride?.executions;
  if (override) return override;
  const q = queues();
  q.executions ??= createExecutionsQueue(getProducerRedis(), env.REDIS_PREFIX);
  return q.executions;
}

export function getSchedulesQueue(): ScheduleTicksQueue {
  const override = globalForQueues.porticoRunQueuesOverride?.schedules;
  if (override) return override;
  const q = queues();
  q.schedules ??= createScheduleTicksQueue(getProducerRedis(), env.REDIS_PREFIX);
  return q.schedules;
}

/** Tests: services without an explicit queue use these (undefined = back to the defaults). */
export function useRunQueuesForTests(override: Queues | undefined) {
  globalForQueues.porticoRunQueuesOverride = override;
}
