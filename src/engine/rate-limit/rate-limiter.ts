import { randomBytes } from "node:crypto";
import type { Redis } from "@/lib/redis";
import type { Logger } from "@/lib/logger";
import { RateLimitDeferral } from "./rate-limit-deferral";
import type { RateLimitScope, RateLimitWindow } from "./rate-limits";

// Outbound rate limits shared by every executor process, kept in Redis.
//
// Each limited key is a sliding log (a sorted set of the times calls were granted, future
// reservations included): a call is granted at the earliest time t ≥ now such that no window
// of `windowMs` holds more than `limit` calls — i.e. t ≥ (the limit-th newest entry) + windowMs.
// Unlike a token bucket (which lets 2× the limit through across a window boundary), this holds
// "at most `limit` calls in ANY window", which is what vendors document.
// A 429 stores "blocked until" on the connection's key, which every process honours.
// The clock is Redis's own TIME, so workers on hosts with skewed clocks still agree.
//
// Keys (all under the REDIS_PREFIX):
//   {prefix}:rl:{org}:{app}:app              sliding log, per app (all the org's customers)
//   {prefix}:rl:{org}:{app}:conn:{id}        sliding log, per connection
//   {prefix}:rl:{org}:{app}:conn:{id}:blocked  epoch ms until which calls wait (after a 429)
//   {prefix}:rl:stats:{org}:{YYYY-MM-DD}     hash, counters for the troubleshooting views:
//       "{app}|waits", "{app}|waitMs" (calls that slept and for how long),
//       "{app}|deferred" (runs sent back to the queue), "{app}|429" (429 answers received).
//   Read them with readRateLimitStats().

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local maxWait = tonumber(ARGV[1])
local app = ARGV[2]
local member = ARGV[3]
local n = tonumber(ARGV[4])
local at = now
for i = 1, n do
  local wkey = KEYS[2 * i]
  local bkey = KEYS[2 * i + 1]
  local limit = tonumber(ARGV[3 + 2 * i])
  local window = tonumber(ARGV[4 + 2 * i])
  local blocked = tonumber(redis.call('GET', bkey) or '0')
  if blocked > at then at = blocked end
  if limit > 0 then
    redis.call('ZREMRANGEBYSCORE', wkey, '-inf', now - window)
    local count = redis.call('ZCARD', wkey)
    if count >= limit then
      local nth = redis.call('ZRANGE', wkey, count - limit, count - limit, 'WITHSCORES')
      local free = tonumber(nth[2]) + window
      if free > at then at = free end
    end
  end
end
local wait = at - now
if wait > maxWait then
  redis.call('HINCRBY', KEYS[1], app .. '|deferred', 1)
  redis.call('EXPIRE', KEYS[1], 3456000)
  return {0, wait}
end
for i = 1, n do
  local limit = tonumber(ARGV[3 + 2 * i])
  local window = tonumber(ARGV[4 + 2 * i])
  if limit > 0 then
    redis.call('ZADD', KEYS[2 * i], at, member)
    redis.call('PEXPIRE', KEYS[2 * i], wait + window + 1000)
  end
end
if wait > 0 then
  redis.call('HINCRBY', KEYS[1], app .. '|waits', 1)
  redis.call('HINCRBY', KEYS[1], app .. '|waitMs', wait)
  redis.call('EXPIRE', KEYS[1], 3456000)
end
return {1, wait}
`;

const BLOCK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
local untilMs = now + ms
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur < untilMs then redis.call('SET', KEYS[1], untilMs, 'PX', ms + 1000) end
redis.call('HINCRBY', KEYS[2], ARGV[2] .. '|429', 1)
redis.call('EXPIRE', KEYS[2], 3456000)
return untilMs
`;

type LimiterRedis = Redis & {
  portico_rl_acquire(...args: (string | number)[]): Promise<[number, number]>;
  portico_rl_block(...args: (string | number)[]): Promise<number>;
};

export interface RateLimiterOptions {
  redis: Redis;
  /** REDIS_PREFIX (tests pass their own). */
  prefix: string;
  /** Waits up to this long are slept through; longer ones send the run back to the queue. Default 2 s. */
  maxWaitMs?: number;
  /** A 429 without Retry-After/X-RateLimit-Reset blocks the key this long. Default 1 s. */
  default429BlockMs?: number;
  /** Past this, a Redis that does not answer lets the call through (fail open). Default 2 s. */
  redisTimeoutMs?: number;
  logger?: Logger;
}

export interface RateLimiter {
  /**
   * Waits for the scope's limits (sleeping when the wait is short), or throws a
   * RateLimitDeferral when it is long: the executor then re-queues the run, delayed.
   */
  acquire(scope: RateLimitScope): Promise<{ waitedMs: number }>;
  /** The remote answered 429: the connection's key waits `retryAfterMs` for every process. */
  reportRateLimited(scope: RateLimitScope, retryAfterMs: number | undefined): Promise<void>;
}

export function rateLimitKeys(prefix: string, scope: Pick<RateLimitScope, "organizationId" | "appKey" | "connectionId">) {
  const base = `${prefix}:rl:${scope.organizationId}:${scope.appKey}`;
  const conn = `${base}:conn:${scope.connectionId ?? "none"}`;
  return { app: `${base}:app`, appBlocked: `${base}:app:blocked`, conn, connBlocked: `${conn}:blocked` };
}

export function rateLimitStatsKey(prefix: string, organizationId: string, day: string): string {
  return `${prefix}:rl:stats:${organizationId}:${day}`;
}

const today = (at = new Date()) => at.toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function createRateLimiter(o: RateLimiterOptions): RateLimiter {
  const redis = o.redis as LimiterRedis;
  if (typeof redis.portico_rl_acquire !== "function") {
    redis.defineCommand("portico_rl_acquire", { lua: ACQUIRE });
    redis.defineCommand("portico_rl_block", { lua: BLOCK });
  }
  const maxWaitMs = o.maxWaitMs ?? 2_000;
  const redisTimeoutMs = o.redisTimeoutMs ?? 2_000;

  return {
    async acquire(scope) {
      const keys = rateLimitKeys(o.prefix, scope);
      // Both keys are always consulted for "blocked until", limits or not: a 429 slows a key
      // down even for an app that declares no limits.
      const windows: [string, string, RateLimitWindow | undefined][] = [
        [keys.conn, keys.connBlocked, scope.limits.perConnection],
        [keys.app, keys.appBlocked, scope.limits.perApp],
      ];
      const keyArgs = windows.flatMap(([w, b]) => [w, b]);
      const limitArgs = windows.flatMap(([, , l]) => [l?.limit ?? 0, l?.windowMs ?? 0]);
      const member = `${Date.now()}-${randomBytes(6).toString("hex")}`;
      let granted: number;
      let waitMs: number;
      try {
        [granted, waitMs] = await withTimeout(
          redis.portico_rl_acquire(
            1 + keyArgs.length,
            rateLimitStatsKey(o.prefix, scope.organizationId, today()),
            ...keyArgs,
            maxWaitMs,
            scope.appKey,
            member,
            windows.length,
            ...limitArgs,
          ),
          redisTimeoutMs,
        );
      } catch (err) {
        // The limiter protects the vendor; it must not take runs down with Redis. The vendor's
        // own 429s are still honoured through retries.
        o.logger?.warn({ err: (err as Error).message, app: scope.appKey }, "rate limiter unavailable; call let through");
        return { waitedMs: 0 };
      }
      if (granted !== 1) throw new RateLimitDeferral(scope.appKey, waitMs);
      if (waitMs > 0) await sleep(waitMs);
      return { waitedMs: waitMs };
    },

    async reportRateLimited(scope, retryAfterMs) {
      const keys = rateLimitKeys(o.prefix, scope);
      const ms = Math.max(1, Math.round(retryAfterMs ?? o.default429BlockMs ?? 1_000));
      try {
        await withTimeout(
          redis.portico_rl_block(2, keys.connBlocked, rateLimitStatsKey(o.prefix, scope.organizationId, today()), ms, scope.appKey),
          redisTimeoutMs,
        );
      } catch (err) {
        o.logger?.warn({ err: (err as Error).message, app: scope.appKey }, "could not record a 429 in the rate limiter");
      }
    },
  };
}

export interface RateLimitStatsRow {
  day: string;
  appKey: string;
  /** Calls that slept for a limit, and the total sleep. */
  waits: number;
  waitMs: number;
  /** Runs sent back to the queue because the wait was long. */
  deferred: number;
  /** 429 answers received. */
  rateLimited: number;
}

/** Per app and day counters for one organization, newest day first (for troubleshooting views). */
export async function readRateLimitStats(
  redis: Redis,
  prefix: string,
  organizationId: string,
  days = 7,
  now = new Date(),
): Promise<RateLimitStatsRow[]> {
  const rows: RateLimitStatsRow[] = [];
  for (let i = 0; i < days; i++) {
    const day = today(new Date(now.getTime() - i * 86_400_000));
    const hash = await redis.hgetall(rateLimitStatsKey(prefix, organizationId, day));
    const byApp = new Map<string, RateLimitStatsRow>();
    for (const [field, value] of Object.entries(hash)) {
      const cut = field.lastIndexOf("|");
      const appKey = field.slice(0, cut);
      const row = byApp.get(appKey) ?? { day, appKey, waits: 0, waitMs: 0, deferred: 0, rateLimited: 0 };
      const n = Number(value);
      switch (field.slice(cut + 1)) {
        case "waits":
          row.waits = n;
          break;
        case "waitMs":
          row.waitMs = n;
          break;
        case "deferred":
          row.deferred = n;
          break;
        case "429":
          row.rateLimited = n;
          break;
      }
      byApp.set(appKey, row);
    }
    rows.push(...[...byApp.values()].sort((a, b) => a.appKey.localeCompare(b.appKey)));
  }
  return rows;
}
