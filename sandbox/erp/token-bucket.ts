// Per-API-key token bucket, as many SaaS APIs do it: `burst` requests at once, refilled at
// `ratePerSecond`. The answer says how long until one token is back, which is what a polite
// client must wait (Retry-After) before trying again.
import type { RateLimitConfig } from "../state";

export interface TokenBucket {
  tokens: number;
  updatedAt: number;
}

export type TakeResult =
  | { ok: true; remaining: number; limit: number }
  | { ok: false; retryAfterMs: number; limit: number };

export function takeToken(
  buckets: Map<string, TokenBucket>,
  key: string,
  config: RateLimitConfig,
  now = Date.now(),
): TakeResult {
  const limit = config.burst;
  let bucket = buckets.get(key);
  if (!bucket) {
    bucket = { tokens: config.burst, updatedAt: now };
    buckets.set(key, bucket);
  }
  const elapsed = Math.max(0, now - bucket.updatedAt) / 1000;
  bucket.tokens = Math.min(config.burst, bucket.tokens + elapsed * config.ratePerSecond);
  bucket.updatedAt = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return { ok: true, remaining: Math.floor(bucket.tokens), limit };
  }
  // With no refill a key stays blocked until the config or the sandbox is reset; say one minute.
  const retryAfterMs = config.ratePerSecond > 0 ? ((1 - bucket.tokens) / config.ratePerSecond) * 1000 : 60_000;
  return { ok: false, retryAfterMs, limit };
}
