import { z } from "zod";

// What an app declares about the vendor's limits (App.rateLimits, or defaults on the
// integration's connection declaration): a sliding window per connection (the vendor's limit
// per API key / account) and one per app (all of the organization's customers together, which
// protects the vendor's API from all of them at once).

const Window = z.object({
  limit: z.number().int().positive(),
  windowMs: z.number().int().positive(),
});

export const RateLimits = z.object({
  perConnection: Window.optional(),
  perApp: Window.optional(),
});
export type RateLimits = z.infer<typeof RateLimits>;
export type RateLimitWindow = z.infer<typeof Window>;

/** Parses App.rateLimits; anything malformed counts as "no limit" rather than failing runs. */
export function parseRateLimits(value: unknown): RateLimits {
  if (value === null || value === undefined) return {};
  const parsed = RateLimits.safeParse(value);
  return parsed.success ? parsed.data : {};
}

/** The app's own setting wins per window; the integration's declaration fills the gaps. */
export function mergeRateLimits(app: RateLimits, declared: RateLimits): RateLimits {
  const perConnection = app.perConnection ?? declared.perConnection;
  const perApp = app.perApp ?? declared.perApp;
  return { ...(perConnection ? { perConnection } : {}), ...(perApp ? { perApp } : {}) };
}

/** Who a call is counted against. */
export interface RateLimitScope {
  organizationId: string;
  appKey: string;
  /** The Connection row; null for an auth-less app used without a stored connection. */
  connectionId: string | null;
  limits: RateLimits;
}
