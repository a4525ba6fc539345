import { describe, expect } from "vitest";
import { createRedis } from "@/lib/redis";
import { dbTest } from "@/test/db-test";
import { RateLimitDeferral, requeueDelayOf } from "./rate-limit-deferral";
import { createRateLimiter, readRateLimitStats } from "./rate-limiter";
import type { RateLimitScope } from "./rate-limits";

// The shared limiter against the real test Redis: windows, per-app totals across connections and
// processes, 429 blocks, and the counters the troubleshooting views read.

const scope = (connectionId: string, limits: RateLimitScope["limits"]): RateLimitScope => ({
  organizationId: "org1",
  appKey: "erp",
  connectionId,
  limits,
});

async function outcome(p: Promise<unknown>): Promise<"granted" | number> {
  try {
    await p;
    return "granted";
  } catch (err) {
    if (err instanceof RateLimitDeferral) return err.requeueAfterMs;
    throw err;
  }
}

describe("the shared rate limiter", () => {
  dbTest("grants `limit` calls per window, then defers the rest with the wait until a slot frees", async ({ redis, redisPrefix }) => {
    const limiter = createRateLimiter({ redis, prefix: redisPrefix, maxWaitMs: 0 });
    const s = scope("c1", { perConnection: { limit: 3, windowMs: 60_000 } });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await outcome(limiter.acquire(s)));
    expect(results.slice(0, 3)).toEqual(["granted", "granted", "granted"]);
    for (const wait of results.slice(3)) {
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(60_000);
    }
    // A deferred call reserved nothing: a short limit elsewhere is unaffected.
    expect(await outcome(limiter.acquire(scope("c2", { perConnection: { limit: 3, windowMs: 60_000 } })))).toBe("granted");
    const [stats] = await readRateLimitStats(redis, redisPrefix, "org1", 1);
    expect(stats).toMatchObject({ appKey: "erp", deferred: 2, waits: 0, rateLimited: 0 });
  });

  dbTest("a short wait is slept through and counted", async ({ redis, redisPrefix }) => {
    const limiter = createRateLimiter({ redis, prefix: redisPrefix, maxWaitMs: 5_000 });
    const s = scope("c1", { perConnection: { limit: 1, windowMs: 200 } });
    expect((await limiter.acquire(s)).waitedMs).toBe(0);
    expect((await limiter.acquire(s)).waitedMs).toBeGreaterThan(0);
    const [stats] = await readRateLimitStats(redis, redisPrefix, "org1", 1);
    expect(stats).toMatchObject({ waits: 1, deferred: 0 });
    expect(stats!.waitMs).toBeGreaterThan(0);
  });

  dbTest("the per-app limit holds across connections and across processes", async ({ redis, redisUrl, redisPrefix }) => {
    const other = createRedis(redisUrl, "worker");
    try {
      const a = createRateLimiter({ redis, prefix: redisPrefix, maxWaitMs: 0 });
      const b = createRateLimiter({ redis: other, prefix: redisPrefix, maxWaitMs: 0 });
      const perApp = { perApp: { limit: 4, windowMs: 60_000 } };
      const calls = await Promise.all(
        Array.from({ length: 12 }, (_, i) => outcome((i % 2 ? a : b).acquire(scope(`conn-${i % 3}`, perApp)))),
      );
      expect(calls.filter((c) => c === "granted")).toHaveLength(4);
    } finally {
      other.disconnect();
    }
  });

  dbTest("a 429 blocks that connection's key for every process until Retry-After, and is counted", async ({ redis, redisUrl, redisPrefix }) => {
    const other = createRedis(redisUrl, "worker");
    try {
      const a = createRateLimiter({ redis, prefix: redisPrefix, maxWaitMs: 0 });
      const b = createRateLimiter({ redis: other, prefix: redisPrefix, maxWaitMs: 0 });
      await a.reportRateLimited(scope("c1", {}), 30_000);
      // No limits declared at all: the block still applies, to that connection only.
      const wait = await outcome(b.acquire(scope("c1", {})));
      expect(wait).toBeGreaterThan(25_000);
      expect(await outcome(b.acquire(scope("c2", {})))).toBe("granted");
      const [stats] = await readRateLimitStats(redis, redisPrefix, "org1", 1);
      expect(stats).toMatchObject({ rateLimited: 1, deferred: 1 });
    } finally {
      other.disconnect();
    }
  });

  dbTest("the deferral is recognised after crossing a thread boundary (name and retryAfterMs only)", () => {
    const err = new RateLimitDeferral("erp", 5_000);
    expect(requeueDelayOf(err)).toBeGreaterThanOrEqual(5_000);
    const revived = Object.assign(new Error(err.message), { name: "RateLimitDeferral", errorClass: "RATE_LIMITED", retryAfterMs: 5_000 });
    expect(requeueDelayOf(revived)).toBeGreaterThanOrEqual(5_000);
    expect(requeueDelayOf(Object.assign(new Error("429"), { errorClass: "RATE_LIMITED", retryAfterMs: 5_000 }))).toBeUndefined();
  });
});
