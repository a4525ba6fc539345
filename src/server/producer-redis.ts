import { env } from "@/lib/env";
import { createRedis, type Redis } from "@/lib/redis";

const globalForRedis = globalThis as unknown as { porticoProducerRedis?: Redis };

/**
 * The web process's one fail-fast Redis connection (see createRedis): kept on globalThis so Next
 * dev reloads do not open a new one per edit.
 */
export function getProducerRedis(): Redis {
  globalForRedis.porticoProducerRedis ??= createRedis(env.REDIS_URL, "producer");
  return globalForRedis.porticoProducerRedis;
}
