import type { ErrorClass } from "@/sdk";
import { isRetryable } from "./classify";

export interface RetrySettings {
  /** Total attempts, the first included. */
  maxAttempts: number;
  maxDelayMs: number;
  baseDelayMs: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/**
 * Exponential backoff with "equal jitter" (half fixed, half random): retries of many runs
 * that failed together spread out instead of hitting the recovering remote at once.
 * `attempt` is the number of the attempt that just failed (1-based).
 */
export function backoffDelayMs(attempt: number, s: Pick<RetrySettings, "baseDelayMs" | "maxDelayMs">, random = Math.random): number {
  const exp = Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export function decideRetry(
  failure: { errorClass: ErrorClass; retryAfterMs?: number },
  attempt: number,
  s: RetrySettings,
  random = Math.random,
): RetryDecision {
  if (!isRetryable(failure.errorClass) || attempt >= s.maxAttempts) return { retry: false };
  const backoff = backoffDelayMs(attempt, s, random);
  // The remote's own Retry-After wins over our guess, even past maxDelayMs: asking earlier
  // would only earn another 429.
  const delayMs = failure.retryAfterMs !== undefined ? Math.max(failure.retryAfterMs, backoff) : backoff;
  return { retry: true, delayMs };
}
