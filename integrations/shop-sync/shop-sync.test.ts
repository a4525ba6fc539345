import { describe, expect } from "vitest";
import { fakeRemote, runFlow, type RunFlowResult } from "portico/sdk/testing";
import { sandboxTest } from "../../sandbox/sandbox-test";
import { DEFAULT_SHOP_TOKEN } from "../../sandbox/state";
import shopSync from "./index";

// The scheduled sync run locally against the sandbox shop (real HTTP, its 120 seeded orders,
// real cursor paging), carrying the instance state from one run to the next as the engine does.

const shopAt = (baseUrl: string, token = DEFAULT_SHOP_TOKEN) => ({ shop: { baseUrl, credentials: { accessToken: token } } });

describe("shop-sync, run locally", () => {
  sandboxTest("walks every page with the cursor, then later runs fetch only what changed", async ({ sandbox }) => {
    const first = await runFlow(shopSync, "sync", { config: { pageSize: 50 }, connections: shopAt(sandbox.url) });
    expect(first.status).toBe("SUCCEEDED");
    expect(first.result).toMatchObject({ orders: 120, pages: 3, more: false, totals: { orders: 120 } });
    expect(first.http.map((x) => new URL(x.url).searchParams.has("cursor"))).toEqual([false, true, true]);
    expect(first.state.position).toMatchObject({ cursor: null, since: expect.any(String) });

    // Nothing changed: the next run sees no order twice.
    const idle = await runFlow(shopSync, "sync", { config: { pageSize: 50 }, connections: shopAt(sandbox.url), state: first.state });
    expect(idle.result).toMatchObject({ orders: 0, pages: 1, totals: { orders: 120 } });

    // A new order arrives: the run after that counts exactly it.
    const created = await fetch(`${sandbox.url}/shop/api/orders`, {
      method: "POST",
      headers: { authorization: `Bearer ${DEFAULT_SHOP_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ customer_email: "new@example.com", items: [{ sku: "MUG-RED", quantity: 1, unit_price: 12.9 }], currency: "USD" }),
    });
    expect(created.status).toBe(201);
    const next = await runFlow(shopSync, "sync", { config: { pageSize: 50 }, connections: shopAt(sandbox.url), state: idle.state });
    expect(next.result).toMatchObject({ orders: 1, revenue: { USD: 12.9 }, totals: { orders: 121 } });
  });

  sandboxTest("a run that stops at its page limit leaves the cursor, and the next run resumes from it", async ({ sandbox }) => {
    const config = { pageSize: 40, maxPages: 2 };
    const first = await runFlow(shopSync, "sync", { config, connections: shopAt(sandbox.url) });
    expect(first.result).toMatchObject({ orders: 80, pages: 2, more: true });
    const stored = (first.state.position as { cursor: string | null }).cursor;
    expect(stored).toEqual(expect.any(String));

    const second = await runFlow(shopSync, "sync", { config, connections: shopAt(sandbox.url), state: first.state });
    expect(second.result).toMatchObject({ orders: 40, pages: 1, more: false, totals: { orders: 120 } });
    // It started from the stored cursor, not from the beginning.
    expect(new URL(second.http[0]!.url).searchParams.get("cursor")).toBe(stored);
  });

  sandboxTest("a revoked token is AUTH: the customer has to reconnect, no retry", async ({ sandbox }) => {
    const result = await runFlow(shopSync, "sync", { connections: shopAt(sandbox.url, "revoked-token") });
    expect(result.error).toMatchObject({ errorClass: "AUTH", retryable: false, status: 401, app: "acme-shop" });
    expect(result.state).toEqual({});
  });

  describe("when the shop has a bad day", () => {
    const page = (ids: number[], next: string | null) => ({
      data: ids.map((n) => ({ id: `ord_${n}`, number: String(1000 + n), total: 10, currency: "EUR", updated_at: `2025-01-06T08:00:0${n}.000Z` })),
      next_cursor: next,
    });

    const pagesWith = async (failure: (route: ReturnType<Awaited<ReturnType<typeof fakeRemote>>["on"]>) => void) => {
      const shop = await fakeRemote();
      shop.on("GET", "/shop/api/orders").once().reply(200, page([1, 2], "c2"));
      failure(shop.on("GET", "/shop/api/orders").once());
      shop.on("GET", "/shop/api/orders").reply(200, page([3], null));
      return shop;
    };

    sandboxTest("a 500 on page 2 fails as REMOTE_UNAVAILABLE; the retry replays page 1 and continues at page 2", async () => {
      const shop = await pagesWith((r) => r.reply(500, { error: "boom" }));
      try {
        const first: RunFlowResult = await runFlow(shopSync, "sync", { connections: shopAt(shop.url) });
        expect(first.error).toMatchObject({ errorClass: "REMOTE_UNAVAILABLE", retryable: true, status: 500 });
        expect(first.state.position).toMatchObject({ cursor: "c2" }); // page 1 is not fetched again later

        const retry = await runFlow(shopSync, "sync", { connections: shopAt(shop.url), state: first.state, resumeFrom: first });
        expect(retry.result).toMatchObject({ orders: 3, pages: 2, more: false });
        expect(retry.steps.filter((s) => s.replayed).map((s) => s.name)).toEqual(["read position", "fetch page 1"]);
        expect(shop.requests.map((r) => r.query.cursor ?? null)).toEqual([null, "c2", "c2"]);
      } finally {
        await shop.close();
      }
    });

    sandboxTest("a 429 with Retry-After is RATE_LIMITED with the delay the shop asked for", async () => {
      const shop = await pagesWith((r) => r.reply(429, { error: "slow down" }, { "retry-after": "30" }));
      try {
        const result = await runFlow(shopSync, "sync", { connections: shopAt(shop.url) });
        expect(result.error).toMatchObject({ errorClass: "RATE_LIMITED", retryable: true, retryAfterMs: 30_000 });
      } finally {
        await shop.close();
      }
    });

    sandboxTest("a page that times out or is cut off fails the run without losing page 1's position", async () => {
      for (const [fail, errorClass] of [
        [(r: Parameters<Parameters<typeof pagesWith>[0]>[0]) => r.timeout(), "REMOTE_UNAVAILABLE"],
        [(r: Parameters<Parameters<typeof pagesWith>[0]>[0]) => r.malformed(), "INVALID_DATA"],
      ] as const) {
        const shop = await pagesWith(fail);
        try {
          const result = await runFlow(shopSync, "sync", { connections: shopAt(shop.url), httpTimeoutMs: 300 });
          expect(result.error?.errorClass).toBe(errorClass);
          expect(result.state.position).toMatchObject({ cursor: "c2" });
        } finally {
          await shop.close();
        }
      }
    });
  });
});
