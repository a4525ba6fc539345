import { RateLimitedError } from "@/sdk";

/**
 * Thrown by ctx.http when a call would wait long for a rate limit: the executor puts the run
 * back on the queue, delayed by `requeueAfterMs`, without counting an attempt — a run waiting
 * its turn must not hold a worker slot, nor use up its retries.
 *
 * It is a RateLimitedError, so flow code that handles 429s handles this the same way. Read by
 * property (`requeueAfterMs`), not instanceof: it may cross a worker-thread boundary.
 */
export class RateLimitDeferral extends RateLimitedError {
  override name = "RateLimitDeferral";
  readonly requeueAfterMs: number;
  constructor(app: string, waitMs: number) {
    super(`waiting ${Math.ceil(waitMs / 1000)} s for the rate limit of "${app}"; the run goes back to the queue until then`, {
      app,
      retryAfterMs: waitMs,
    });
    this.requeueAfterMs = waitMs;
  }
}

/**
 * The delay a deferred run waits before it is run again, or undefined when `err` is no deferral.
 * An error that crossed a thread boundary keeps its name and retryAfterMs, not its class.
 */
export function requeueDelayOf(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { requeueAfterMs?: unknown; retryAfterMs?: unknown; errorClass?: unknown; name?: unknown };
  if (e.errorClass !== "RATE_LIMITED") return undefined;
  const ms =
    typeof e.requeueAfterMs === "number" ? e.requeueAfterMs : e.name === "RateLimitDeferral" && typeof e.retryAfterMs === "number" ? e.retryAfterMs : undefined;
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  // A little jitter, so runs deferred together do not all come back in the same millisecond.
  return Math.max(0, Math.round(ms + Math.random() * Math.min(500, ms * 0.1)));
}
