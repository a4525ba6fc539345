import { request as httpRequest } from "node:http";
import { describe, expect } from "vitest";
import { maskSecret } from "./request-log";
import { erpAuth, rawRequest, sandboxTest, shopAuth, waitFor } from "./sandbox-test";
import { DEFAULT_SHOP_TOKEN } from "./state";

describe("fault injection", () => {
  sandboxTest("a status fault answers once, then the app is healthy again", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "shop", mode: "status", status: 503 });
    const url = `${sandbox.url}/shop/api/orders?limit=1`;
    const faulted = await rawRequest(url, { headers: shopAuth });
    expect(faulted.status).toBe(503);
    expect(JSON.parse(faulted.body).error.code).toBe("injected_fault");
    expect((await rawRequest(url, { headers: shopAuth })).status).toBe(200);
  });

  sandboxTest("a 429 fault sets Retry-After (given, or 1 s by default)", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "erp", mode: "status", status: 429, retryAfter: 7 });
    await admin.addFault({ app: "erp", mode: "status", status: 429 });
    const url = `${sandbox.url}/erp/api/sales-orders`;
    const first = await rawRequest(url, { headers: erpAuth });
    const second = await rawRequest(url, { headers: erpAuth });
    expect([first.status, first.headers["retry-after"]]).toEqual([429, "7"]);
    expect([second.status, second.headers["retry-after"]]).toEqual([429, "1"]);
  });

  sandboxTest("a string body is sent as raw text, like a proxy's error page", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "shop", mode: "status", status: 502, body: "<html>Bad Gateway</html>" });
    const res = await rawRequest(`${sandbox.url}/shop/api/orders`, { headers: shopAuth });
    expect([res.status, res.body]).toEqual([502, "<html>Bad Gateway</html>"]);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
  });

  sandboxTest("times counts matching requests; -1 lasts until the faults are cleared", async ({ sandbox, admin }) => {
    const url = `${sandbox.url}/shop/api/orders?limit=1`;
    await admin.addFault({ app: "shop", mode: "status", status: 500, times: 2 });
    const two = [];
    for (let i = 0; i < 3; i++) two.push((await rawRequest(url, { headers: shopAuth })).status);
    expect(two).toEqual([500, 500, 200]);

    await admin.addFault({ app: "shop", mode: "status", status: 500, times: -1 });
    const forever = [];
    for (let i = 0; i < 5; i++) forever.push((await rawRequest(url, { headers: shopAuth })).status);
    expect(forever).toEqual([500, 500, 500, 500, 500]);
    await admin.clearFaults();
    expect((await rawRequest(url, { headers: shopAuth })).status).toBe(200);
  });

  sandboxTest("a rule hits only its app, method and path prefix", async ({ sandbox, admin }) => {
    await admin.addFault({
      app: "shop",
      match: { method: "get", pathPrefix: "/shop/api/orders/" },
      mode: "status",
      status: 500,
      times: -1,
    });
    expect((await rawRequest(`${sandbox.url}/shop/api/orders`, { headers: shopAuth })).status).toBe(200);
    expect((await rawRequest(`${sandbox.url}/erp/api/sales-orders`, { headers: erpAuth })).status).toBe(200);
    expect((await rawRequest(`${sandbox.url}/shop/api/orders/ord_00001`, { headers: shopAuth })).status).toBe(500);
  });

  sandboxTest("probability 0 never hits and does not use up the rule", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "shop", mode: "status", status: 500, probability: 0 });
    expect((await rawRequest(`${sandbox.url}/shop/api/orders`, { headers: shopAuth })).status).toBe(200);
    expect(await admin.listFaults()).toHaveLength(1);
  });

  sandboxTest("slow delays the answer, then the app answers normally", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "shop", mode: "slow", delayMs: 150 });
    const started = performance.now();
    const res = await rawRequest(`${sandbox.url}/shop/api/orders?limit=1`, { headers: shopAuth });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).data).toHaveLength(1);
    // a lower bound only: a slow machine can only make this longer
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  sandboxTest("hang never answers; the request ends when the client gives up", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "shop", mode: "hang" });
    const abort = new AbortController();
    let answered = false;
    const pending = rawRequest(`${sandbox.url}/shop/api/orders`, { headers: shopAuth, signal: abort.signal }).finally(
      () => (answered = true),
    );
    const recorded = await waitFor(() => sandbox.state.requests.find((r) => r.fault === "hang"), "the hung request");
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    expect(recorded.status).toBeNull();
    abort.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  sandboxTest("closing the sandbox ends hanging requests instead of waiting for them", async ({ admin, sandbox }) => {
    await admin.addFault({ app: "erp", mode: "hang" });
    const pending = rawRequest(`${sandbox.url}/erp/api/sales-orders`, { headers: erpAuth });
    await waitFor(() => sandbox.state.requests.length > 0, "the hung request");
    await sandbox.close();
    await expect(pending).rejects.toThrow();
  });

  sandboxTest("malformed answers 200 with a body that is not JSON", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "shop", mode: "malformed" });
    const res = await rawRequest(`${sandbox.url}/shop/api/orders`, { headers: shopAuth });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(() => JSON.parse(res.body)).toThrow(SyntaxError);
  });

  sandboxTest("reset drops the connection and applies nothing", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "erp", mode: "reset" });
    const body = { externalId: "1", lines: [{ sku: "A", quantity: 1 }], total: 1 };
    await expect(
      rawRequest(`${sandbox.url}/erp/api/sales-orders`, { method: "POST", headers: erpAuth, body }),
    ).rejects.toMatchObject({ code: "ECONNRESET" });
    expect((await admin.effects()).total).toBe(0);
  });

  sandboxTest("stall sends headers and part of the body, then nothing", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "shop", mode: "stall" });
    const received = await new Promise<{ status: number; firstChunk: string }>((resolve, reject) => {
      const req = httpRequest(`${sandbox.url}/shop/api/orders`, { agent: false, headers: shopAuth }, (res) => {
        res.once("data", (chunk: Buffer) => {
          resolve({ status: res.statusCode ?? 0, firstChunk: chunk.toString() });
          req.destroy();
        });
        res.once("end", () => reject(new Error("a stalled body must not end")));
      });
      req.on("error", () => undefined); // destroyed on purpose
      req.end();
    });
    expect(received).toEqual({ status: 200, firstChunk: '{"data":[' });
  });

  sandboxTest("large streams a body of the requested size", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "shop", mode: "large", bytes: 300_000 });
    const res = await rawRequest(`${sandbox.url}/shop/api/orders`, { headers: shopAuth });
    expect(res.status).toBe(200);
    expect(res.headers["content-length"]).toBeUndefined(); // chunked: a client must cap while reading
    expect(Buffer.byteLength(res.body)).toBe(300_000);
    expect(JSON.parse(res.body)).toHaveProperty("data");
  });

  sandboxTest("the request log shows what reached the app, credentials masked", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "shop", mode: "status", status: 500 });
    await rawRequest(`${sandbox.url}/shop/api/orders?limit=2`, { headers: shopAuth });
    await rawRequest(`${sandbox.url}/erp/api/sales-orders`, {
      method: "POST",
      headers: { ...erpAuth, "idempotency-key": "k1" },
      body: { externalId: "1", lines: [{ sku: "A", quantity: 1 }], total: 1 },
    });
    const shop = await admin.requests({ app: "shop" });
    expect(shop).toHaveLength(1);
    expect(shop[0]).toMatchObject({ method: "GET", path: "/shop/api/orders", query: "?limit=2", status: 500, fault: "status" });
    expect(shop[0]!.headers.authorization).toBe(`Bearer ${maskSecret(DEFAULT_SHOP_TOKEN)}`);

    const [erp] = await admin.requests({ app: "erp", method: "POST" });
    expect(erp).toMatchObject({ status: 201, fault: null, headers: { "idempotency-key": "k1" } });
    expect(JSON.stringify(erp)).not.toContain(erpAuth["x-api-key"]);
    expect(JSON.parse(erp!.body)).toMatchObject({ externalId: "1" });
  });

  sandboxTest("admin reset restores seed data and clears faults, effects and the log", async ({ sandbox, admin }) => {
    await rawRequest(`${sandbox.url}/erp/api/sales-orders`, {
      method: "POST",
      headers: erpAuth,
      body: { externalId: "1", lines: [{ sku: "A", quantity: 1 }], total: 1 },
    });
    await admin.addFault({ app: "shop", mode: "status", times: -1 });
    await admin.configure({ erp: { rateLimit: { burst: 1 } } });
    await admin.reset();

    expect(await admin.listFaults()).toEqual([]);
    expect(await admin.requests()).toEqual([]);
    expect((await admin.effects()).total).toBe(0);
    expect(sandbox.state.erp.salesOrders).toEqual([]);
    expect(sandbox.state.erp.rateLimit.burst).toBe(20);
    expect((await rawRequest(`${sandbox.url}/shop/api/orders`, { headers: shopAuth })).status).toBe(200);
  });

  sandboxTest("an invalid fault rule is refused with 400", async ({ sandbox }) => {
    const res = await rawRequest(`${sandbox.url}/_admin/faults`, { method: "POST", body: { app: "crm", mode: "boom" } });
    expect(res.status).toBe(400);
  });

  sandboxTest("/_health answers 200", async ({ sandbox }) => {
    expect((await rawRequest(`${sandbox.url}/_health`)).status).toBe(200);
  });
});
