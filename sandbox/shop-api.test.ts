import { describe, expect } from "vitest";
import { getJson, rawRequest, sandboxTest, shopAuth } from "./sandbox-test";
import { SEEDED_ORDER_COUNT, type ShopOrder } from "./shop/orders-seed";

interface Page {
  data: ShopOrder[];
  next_cursor: string | null;
}

async function walk(baseUrl: string, first: string, onPage?: (page: Page) => Promise<void>): Promise<ShopOrder[]> {
  const seen: ShopOrder[] = [];
  let url: string | null = first;
  while (url) {
    const { status, json }: { status: number; json: Page } = await getJson<Page>(url, shopAuth);
    expect(status).toBe(200);
    seen.push(...json.data);
    await onPage?.(json);
    url = json.next_cursor ? `${baseUrl}/shop/api/orders?limit=17&cursor=${json.next_cursor}` : null;
  }
  return seen;
}

describe("acme-shop orders API", () => {
  sandboxTest("paging with the cursor walks every seeded order exactly once", async ({ sandbox }) => {
    const seen = await walk(sandbox.url, `${sandbox.url}/shop/api/orders?limit=17`);
    const ids = seen.map((o) => o.id);
    expect(ids).toHaveLength(SEEDED_ORDER_COUNT);
    expect(new Set(ids).size).toBe(SEEDED_ORDER_COUNT);
    // ordered by updated_at, so a client can remember the last one as its sync cursor
    const times = seen.map((o) => o.updated_at);
    expect([...times].sort()).toEqual(times);
  });

  sandboxTest("an order created during a walk is seen once, at the end", async ({ sandbox }) => {
    let created: ShopOrder | undefined;
    const seen = await walk(sandbox.url, `${sandbox.url}/shop/api/orders?limit=17`, async () => {
      if (created) return;
      const res = await rawRequest(`${sandbox.url}/shop/api/orders`, {
        method: "POST",
        headers: shopAuth,
        body: { customer_email: "new@example.com", items: [{ sku: "MUG-RED", quantity: 2, unit_price: 12.9 }] },
      });
      expect(res.status).toBe(201);
      created = JSON.parse(res.body) as ShopOrder;
    });
    expect(seen).toHaveLength(SEEDED_ORDER_COUNT + 1);
    expect(seen.at(-1)?.id).toBe(created?.id);
    expect(created).toMatchObject({ number: "1121", total: 25.8, currency: "EUR" });
  });

  sandboxTest("updated_since keeps only later orders, and the cursor carries the filter", async ({ sandbox }) => {
    const all = await walk(sandbox.url, `${sandbox.url}/shop/api/orders?limit=100`);
    const since = all[80]!.updated_at;
    const expected = all.filter((o) => o.updated_at >= since).map((o) => o.id);
    const seen = await walk(sandbox.url, `${sandbox.url}/shop/api/orders?limit=7&updated_since=${encodeURIComponent(since)}`);
    expect(seen.map((o) => o.id)).toEqual(expected);
  });

  sandboxTest("the seed is the same on every start", async ({ sandbox }) => {
    const { json } = await getJson<ShopOrder>(`${sandbox.url}/shop/api/orders/ord_00001`, shopAuth);
    expect(json).toMatchObject({ id: "ord_00001", number: "1001", customer_email: "alan.1@example.com", total: 94.2 });
  });

  sandboxTest("an unknown order id answers 404 JSON", async ({ sandbox }) => {
    const res = await getJson<{ error: { code: string } }>(`${sandbox.url}/shop/api/orders/ord_99999`, shopAuth);
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("not_found");
  });

  sandboxTest("a bad cursor or limit answers 400", async ({ sandbox }) => {
    expect((await rawRequest(`${sandbox.url}/shop/api/orders?cursor=nope`, { headers: shopAuth })).status).toBe(400);
    expect((await rawRequest(`${sandbox.url}/shop/api/orders?limit=1000`, { headers: shopAuth })).status).toBe(400);
  });

  sandboxTest("an invalid new order answers 422 naming the fields", async ({ sandbox }) => {
    const res = await rawRequest(`${sandbox.url}/shop/api/orders`, {
      method: "POST",
      headers: shopAuth,
      body: { customer_email: "not-an-email", items: [] },
    });
    expect(res.status).toBe(422);
    expect(Object.keys(JSON.parse(res.body).error.fields).sort()).toEqual(["customer_email", "items"]);
  });

  sandboxTest("only accepted bearer tokens get in; others get 401 JSON", async ({ sandbox }) => {
    const url = `${sandbox.url}/shop/api/orders?limit=1`;
    const none = await rawRequest(url);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error.code).toBe("unauthorized");
    expect((await rawRequest(url, { headers: { authorization: "Bearer other" } })).status).toBe(401);

    sandbox.state.shop.acceptedTokens.add("other");
    expect((await rawRequest(url, { headers: { authorization: "Bearer other" } })).status).toBe(200);
    sandbox.state.shop.acceptedTokens.delete("other"); // a revoked token stops working at once
    expect((await rawRequest(url, { headers: { authorization: "Bearer other" } })).status).toBe(401);
  });
});
