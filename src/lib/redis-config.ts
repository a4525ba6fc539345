import type { Redis } from "./redis";

// BullMQ's own production notes: `maxmemory-policy noeviction` is "the only setting that
// guarantees correct behavior" (an evicting Redis silently drops queued jobs and locks), and AOF
// keeps jobs across a restart. Portico's ledger and reconciler re-queue what Redis loses, so a
// missing AOF only costs a reconciler period of delay — a warning; an evicting policy can drop
// locks of running jobs (duplicate side effects) — the deployment is not healthy.

export interface RedisConfigReport {
  /** Settings that make Redis unfit for the queues: health reports degraded. */
  problems: string[];
  /** Settings that cost delay, not correctness. */
  warnings: string[];
}

function valueOf(answer: unknown): string | null {
  return Array.isArray(answer) && typeof answer[1] === "string" ? answer[1] : null;
}

/** Reads the settings that matter; a Redis that refuses CONFIG (some managed services) is reported as unknown, not as broken. */
export async function checkRedisConfig(redis: Redis): Promise<RedisConfigReport> {
  let policy: string | null;
  let aof: string | null;
  try {
    [policy, aof] = await Promise.all([
      redis.call("CONFIG", "GET", "maxmemory-policy").then(valueOf),
      redis.call("CONFIG", "GET", "appendonly").then(valueOf),
    ]);
  } catch {
    return { problems: [], warnings: ["could not read the Redis configuration (CONFIG GET refused): make sure maxmemory-policy is noeviction"] };
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  if (policy !== null && policy !== "noeviction")
    problems.push(`Redis maxmemory-policy is ${policy}: it may evict queued jobs and locks; set it to noeviction`);
  if (aof === "no") warnings.push("Redis runs without AOF (appendonly no): after a restart the reconciler re-queues runs from PostgreSQL, with a delay");
  return { problems, warnings };
}
