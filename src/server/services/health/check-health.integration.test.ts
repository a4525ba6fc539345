import { describe, expect } from "vitest";
import { createDb } from "@/lib/db";
import { createRedis } from "@/lib/redis";
import { dbTest } from "@/test/db-test";
import { slotDataDir, slotRedisPort } from "@/test/test-slot";
import { startRedis } from "../../../../scripts/lib/redis-server";
import { checkHealth } from "./check-health";

describe("health", () => {
  dbTest("reports ok when Postgres and Redis answer (a fresh producer connection is waited for)", async ({ db, redisUrl }) => {
    const redis = createRedis(redisUrl, "producer");
    // The database connection is opened first: on a loaded machine its first connect alone can
    // take longer than the check's 2 s bound, and this test is about the Redis connection.
    await db.$queryRaw`SELECT 1`;
    try {
      expect(await checkHealth({ db, redis })).toEqual({ status: "ok", db: "ok", redis: "ok", notes: [] });
    } finally {
      redis.disconnect();
    }
  });

  dbTest("names the store that is down", async ({ db, redisUrl }) => {
    const deadDb = createDb("postgresql://nobody:x@127.0.0.1:9/none");
    const deadRedis = createRedis("redis://127.0.0.1:9", "producer");
    deadRedis.on("error", () => {}); // connection refusals are the point here
    try {
      const redis = createRedis(redisUrl, "producer");
      expect(await checkHealth({ db: deadDb, redis })).toEqual({ status: "degraded", db: "down", redis: "ok", notes: [] });
      redis.disconnect();
      expect(await checkHealth({ db, redis: deadRedis })).toEqual({ status: "degraded", db: "ok", redis: "down", notes: [] });
    } finally {
      deadRedis.disconnect();
      await deadDb.$disconnect();
    }
  });

  // Reliability plan R5: a Redis that may evict queue data is not a healthy deployment.
  dbTest("an evicting Redis makes the deployment degraded; Redis without AOF is a note, not a failure", async ({ db }) => {
    const server = await startRedis({ dataDir: slotDataDir("health-redis"), port: slotRedisPort(8) });
    const redis = createRedis(server.url, "producer");
    // The operator's side: a connection that queues commands until it is connected.
    const admin = createRedis(server.url, "worker");
    try {
      await admin.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
      const evicting = await checkHealth({ db, redis });
      expect(evicting).toMatchObject({ status: "degraded", db: "ok", redis: "misconfigured" });
      expect(evicting.notes).toEqual([expect.stringContaining("maxmemory-policy is allkeys-lru")]);

      await admin.call("CONFIG", "SET", "maxmemory-policy", "noeviction");
      await admin.call("CONFIG", "SET", "appendonly", "no");
      const noAof = await checkHealth({ db, redis });
      expect(noAof).toMatchObject({ status: "ok", redis: "ok" });
      expect(noAof.notes).toEqual([expect.stringContaining("without AOF")]);
    } finally {
      redis.disconnect();
      admin.disconnect();
      await server.stop();
    }
  });
});
