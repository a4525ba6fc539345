import { Redis, type RedisOptions } from "ioredis";

/**
 * Workers block on Redis and must retry forever (BullMQ requires maxRetriesPerRequest: null);
 * producers (ingest) must fail fast when Redis is down so the caller can answer 503 —
 * the Postgres ledger row already exists and the reconciler re-queues it later.
 */
export function createRedis(url: string, role: "worker" | "producer" = "worker"): Redis {
  const options: RedisOptions =
    role === "worker"
      ? { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: (n) => Math.min(n * 200, 2_000) }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (n) => Math.min(n * 200, 2_000) };
  return new Redis(url, { lazyConnect: false, ...options });
}
export type { Redis };
