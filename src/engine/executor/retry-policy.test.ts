import { describe, expect, it } from "vitest";
import { AuthError, ConfigError, InvalidDataError, RateLimitedError, RemoteUnavailableError } from "@/sdk";
import { classifyError, customerMessage } from "./classify";
import { backoffDelayMs, decideRetry } from "./retry-policy";

const settings = { maxAttempts: 3, maxDelayMs: 60_000, baseDelayMs: 1_000 };

describe("retry policy", () => {
  it("backs off exponentially with jitter, capped", () => {
    expect(backoffDelayMs(1, settings, () => 0)).toBe(500);
    expect(backoffDelayMs(1, settings, () => 1)).toBe(1_000);
    expect(backoffDelayMs(3, settings, () => 1)).toBe(4_000);
    expect(backoffDelayMs(20, settings, () => 1)).toBe(60_000);
  });

  it("retries what can heal, until the attempts are spent", () => {
    expect(decideRetry({ errorClass: "REMOTE_UNAVAILABLE" }, 1, settings).retry).toBe(true);
    expect(decideRetry({ errorClass: "REMOTE_UNAVAILABLE" }, 3, settings).retry).toBe(false);
    expect(decideRetry({ errorClass: "TIMEOUT" }, 2, settings).retry).toBe(true);
    for (const c of ["AUTH", "INVALID_DATA", "CONFIG", "BUG"] as const) expect(decideRetry({ errorClass: c }, 1, settings).retry).toBe(false);
  });

  it("waits at least as long as the remote's Retry-After", () => {
    expect(decideRetry({ errorClass: "RATE_LIMITED", retryAfterMs: 120_000 }, 1, settings, () => 0)).toEqual({ retry: true, delayMs: 120_000 });
  });
});

describe("error classification", () => {
  it("reads the class from SDK errors and calls anything else a BUG", () => {
    expect(classifyError(new AuthError("no")).errorClass).toBe("AUTH");
    expect(classifyError(new RateLimitedError("slow", { retryAfterMs: 5 })).retryAfterMs).toBe(5);
    expect(classifyError(new TypeError("x is undefined"))).toMatchObject({ errorClass: "BUG", message: "TypeError: x is undefined" });
    expect(classifyError("a string").errorClass).toBe("BUG");
    expect(classifyError({ errorClass: "NOT_A_CLASS", message: "m" }).errorClass).toBe("BUG");
  });

  it("speaks plainly to the customer, and uses the builder's own words for data and settings errors", () => {
    const remote = classifyError(new RemoteUnavailableError("POST /x → 500", { status: 500, app: "erp" }));
    expect(customerMessage(remote, { attempts: 3, final: true, appNames: { erp: "Acme ERP" } })).toBe(
      "Acme ERP was not reachable or answered with an error; we tried 3 times. Once it is back, retry the run.",
    );
    const data = classifyError(new InvalidDataError("the order has no lines"));
    expect(customerMessage(data, { attempts: 1, final: true })).toBe("The data could not be processed: the order has no lines");
    const rejected = classifyError(new InvalidDataError("POST /x → 422: {...}", { status: 422, app: "erp" }));
    expect(customerMessage(rejected, { attempts: 1, final: true })).not.toContain("422");
    expect(customerMessage(classifyError(new ConfigError("unknown warehouse X")), { attempts: 1, final: true })).toContain("unknown warehouse X");
  });
});
