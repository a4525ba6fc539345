import type { Db } from "@/lib/db";
import type { Redis } from "@/lib/redis";
import { checkRedisConfig } from "@/lib/redis-config";

export type Health = {
  status: "ok" | "degraded";
  db: "ok" | "down";
  /** "misconfigured": Redis answers but may evict queue data (see src/lib/redis-config.ts). */
  redis: "ok" | "down" | "misconfigured";
  /** What to fix, in words; empty when all is well. */
  notes: string[];
};

const CHECK_TIMEOUT_MS = 2_000;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A producer connection refuses commands until it is ready (no offline queue). A connection still
 * opening (first probe after start) is waited for; one that is reconnecting is down.
 */
async function pingRedis(redis: Redis, ms: number): Promise<void> {
  if (redis.status === "connecting" || redis.status === "connect" || redis.status === "wait") {
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        redis.off("ready", onReady);
        redis.off("error", onError);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => done();
      const onError = (err: Error) => done(err);
      const timer = setTimeout(() => done(new Error("redis not ready")), ms);
      redis.once("ready", onReady);
      redis.once("error", onError);
    });
  }
  const answer = await redis.ping();
  if (answer !== "PONG") throw new Error(`unexpected PING answer ${answer}`);
}

/** Readiness of the two stores every request depends on; each check is bounded so a hung one reads as down. */
export async function checkHealth(deps: { db: Db; redis: Redis }): Promise<Health> {
  const [db, reachable] = await Promise.all([
    within(deps.db.$queryRaw`SELECT 1`, CHECK_TIMEOUT_MS).then(
      () => "ok" as const,
      () => "down" as const,
    ),
    within(pingRedis(deps.redis, CHECK_TIMEOUT_MS), CHECK_TIMEOUT_MS).then(
      () => "ok" as const,
      () => "down" as const,
    ),
  ]);
  let redis: Health["redis"] = reachable;
  const notes: string[] = [];
  if (reachable === "ok") {
    const config = await within(checkRedisConfig(deps.redis), CHECK_TIMEOUT_MS).catch(() => ({ problems: [], warnings: [] }));
    if (config.problems.length) redis = "misconfigured";
    notes.push(...config.problems, ...config.warnings);
  }
  return { status: db === "ok" && redis === "ok" ? "ok" : "degraded", db, redis, notes };
}
