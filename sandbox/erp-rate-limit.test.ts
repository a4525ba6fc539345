import { describe, expect } from "vitest";
import { erpAuth, rawRequest, sandboxTest } from "./sandbox-test";

describe("erp rate limit", () => {
  sandboxTest("beyond its burst a key gets 429 with Retry-After and X-RateLimit-Reset", async ({ sandbox }) => {
    // No refill: the outcome cannot depend on how fast this machine is.
    sandbox.state.erp.rateLimit = { ratePerSecond: 0, burst: 3, enabled: true };
    const url = `${sandbox.url}/erp/api/sales-orders`;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await rawRequest(url, { headers: erpAuth })).status);
    const limited = await rawRequest(url, { headers: erpAuth });

    expect(statuses).toEqual([200, 200, 200]);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers["x-ratelimit-reset"])).toBeGreaterThan(Date.now() / 1000);
    expect(limited.headers["x-ratelimit-remaining"]).toBe("0");
    expect(JSON.parse(limited.body).error.code).toBe("rate_limited");
  });

  sandboxTest("Retry-After says how long until the bucket refills one request", async ({ sandbox }) => {
    sandbox.state.erp.rateLimit = { ratePerSecond: 0.25, burst: 1, enabled: true }; // one per 4 s
    const url = `${sandbox.url}/erp/api/sales-orders`;
    await rawRequest(url, { headers: erpAuth });
    const limited = await rawRequest(url, { headers: erpAuth });
    expect(limited.status).toBe(429);
    // ≤ 4 s: some of the wait has already elapsed between the two requests
    expect(Number(limited.headers["retry-after"])).toBeLessThanOrEqual(4);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);
  });

  sandboxTest("each API key has its own bucket", async ({ sandbox, admin }) => {
    await admin.configure({ erp: { acceptedKeys: ["a", "b"], rateLimit: { ratePerSecond: 0, burst: 1 } } });
    const url = `${sandbox.url}/erp/api/sales-orders`;
    expect((await rawRequest(url, { headers: { "x-api-key": "a" } })).status).toBe(200);
    expect((await rawRequest(url, { headers: { "x-api-key": "a" } })).status).toBe(429);
    expect((await rawRequest(url, { headers: { "x-api-key": "b" } })).status).toBe(200);
  });

  sandboxTest("the default limit lets a short burst through with rate-limit headers", async ({ sandbox }) => {
    const res = await rawRequest(`${sandbox.url}/erp/api/sales-orders`, { headers: erpAuth });
    expect(res.status).toBe(200);
    expect(res.headers["x-ratelimit-limit"]).toBe("20");
    expect(res.headers["x-ratelimit-remaining"]).toBe("19");
  });
});
