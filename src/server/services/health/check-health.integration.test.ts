import { describe, expect } from "vitest";
import { createDb } from "@/lib/db";
import { createRedis } from "@/lib/redis";
import { dbTest } from "@/test/db-test";
import { checkHealth } from "./check-health";

describe("health", () => {
  dbTest("reports ok when Postgres and Redis answer (a fresh producer connection is waited for)", async ({ db, redisUrl }) => {
    const redis = createRedis(redisUrl, "producer");
    try {
      expect(await checkHealth({ db, redis })).toEqual({ status: "ok", db: "ok", redis: "ok" });
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
      expect(await checkHealth({ db: deadDb, redis })).toEqual({ status: "degraded", db: "down", redis: "ok" });
      redis.disconnect();
      expect(await checkHealth({ db, redis: deadRedis })).toEqual({ status: "degraded", db: "ok", redis: "down" });
    } finally {
      deadRedis.disconnect();
      await deadDb.$disconnect();
    }
  });
});
