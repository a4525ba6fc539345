import { describe, expect, it } from "vitest";
import { mergeRateLimits, parseRateLimits } from "./rate-limits";

describe("declared rate limits", () => {
  it("reads App.rateLimits, treating anything malformed as no limit", () => {
    expect(parseRateLimits({ perApp: { limit: 100, windowMs: 60_000 } })).toEqual({ perApp: { limit: 100, windowMs: 60_000 } });
    expect(parseRateLimits(null)).toEqual({});
    expect(parseRateLimits({ perApp: { limit: 0, windowMs: 1 } })).toEqual({});
    expect(parseRateLimits("2/s")).toEqual({});
  });

  it("lets the app's setting win per window and the integration's declaration fill the gaps", () => {
    const app = { perApp: { limit: 50, windowMs: 60_000 } };
    const declared = { perApp: { limit: 100, windowMs: 60_000 }, perConnection: { limit: 2, windowMs: 1_000 } };
    expect(mergeRateLimits(app, declared)).toEqual({ perApp: { limit: 50, windowMs: 60_000 }, perConnection: { limit: 2, windowMs: 1_000 } });
    expect(mergeRateLimits({}, {})).toEqual({});
  });
});
