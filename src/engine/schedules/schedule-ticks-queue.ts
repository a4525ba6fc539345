import { Queue, type ConnectionOptions } from "bullmq";
import type { z } from "zod";
import { QUEUES, queuePrefix } from "@/lib/queues";

export type ScheduleTickData = z.infer<typeof QUEUES.scheduleTicks.jobs.tick.data>;
export type ScheduleTicksQueue = Queue<ScheduleTickData, unknown, string>;

export function createScheduleTicksQueue(connection: ConnectionOptions, prefix?: string): ScheduleTicksQueue {
  return new Queue<ScheduleTickData, unknown, string>(QUEUES.scheduleTicks.name, {
    connection,
    prefix: queuePrefix(prefix),
    defaultJobOptions: QUEUES.scheduleTicks.defaultJobOptions,
  });
}

/** One scheduler per instance × flow. BullMQ ids may not hold ":"; ours are cuids and identifiers. */
export function schedulerId(instanceId: string, flowKey: string): string {
  return `sched.${instanceId}.${flowKey}`;
}
