import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeRemote, loadOptions, runFlow, type FakeRemote } from "portico/sdk/testing";
import ordersToErp from "./index";

// The example integration run locally (no server) against a scripted fake ERP: what a builder
// writes to check how the integration copes with the remote's bad days.

const order = {
  id: 42,
  number: 1042,
  currency: "EUR",
  lines: [
    { sku: "MUG-RED", qty: 2, price: 12.9 },
    { sku: "CAP-01", qty: 1, price: 18.5 },
  ],
};

let erp: FakeRemote;
beforeEach(async () => {
  erp = await fakeRemote();
});
afterEach(async () => {
  await erp.close();
});

const run = (opts: { payload?: unknown; httpTimeoutMs?: number; resumeFrom?: Awaited<ReturnType<typeof runFlow>> } = {}) =>
  runFlow(ordersToErp, "onOrder", {
    config: { warehouse: "BER-1" },
    trigger: { payload: opts.payload ?? order },
    connections: { erp: { baseUrl: erp.url, credentials: { apiKey: "erp-secret-key" } } },
    ...(opts.httpTimeoutMs ? { httpTimeoutMs: opts.httpTimeoutMs } : {}),
    ...(opts.resumeFrom ? { resumeFrom: opts.resumeFrom } : {}),
  });

describe("orders-to-erp, run locally", () => {
  it("maps the order to a sales order, pushes it once with an idempotency key and records the exchange", async () => {
    erp.on("POST", "/erp/api/sales-orders").reply(201, { id: "SO-000001" });
    const result = await run();

    expect(result.status).toBe("SUCCEEDED");
    expect(result.result).toEqual({ salesOrderId: "SO-000001" });
    expect(result.reference).toBe("1042");
    expect(result.steps.map((s) => [s.name, s.status])).toEqual([
      ["validate order", "SUCCEEDED"],
      ["map to sales order", "SUCCEEDED"],
      ["push to ERP", "SUCCEEDED"],
    ]);
    expect(erp.requests).toHaveLength(1);
    const sent = erp.requests[0]!;
    expect(sent.headers["x-api-key"]).toBe("erp-secret-key");
    expect(sent.headers["idempotency-key"]).toBe("order-42");
    expect(sent.json()).toEqual({
      externalId: "1042",
      account: "WEBSHOP", // the config default
      warehouse: "BER-1",
      currency: "EUR",
      lines: [
        { sku: "MUG-RED", quantity: 2, unitPrice: 12.9 },
        { sku: "CAP-01", quantity: 1, unitPrice: 18.5 },
      ],
      total: 44.3,
    });
    // What support sees: the exchange, with the API key masked.
    expect(result.http).toHaveLength(1);
    expect(result.http[0]).toMatchObject({ method: "POST", status: 201, stepName: "push to ERP" });
    expect(JSON.stringify(result.http[0]!.requestHeaders)).not.toContain("erp-secret-key");
    expect(result.logs.map((l) => l.message)).toEqual(["order received", "sales order created"]);
  });

  it("a 429 with Retry-After is RATE_LIMITED, retried after the time the ERP asked for", async () => {
    erp.on("POST", "/erp/api/sales-orders").reply(429, { error: { code: "rate_limited" } }, { "retry-after": "2" });
    const result = await run();
    expect(result.status).toBe("FAILED");
    expect(result.error).toMatchObject({ errorClass: "RATE_LIMITED", retryable: true, retryAfterMs: 2000, status: 429, app: "erp" });
    expect(result.steps.at(-1)).toMatchObject({ name: "push to ERP", status: "FAILED", errorClass: "RATE_LIMITED" });
  });

  it("a 500 is REMOTE_UNAVAILABLE and retryable; the retry resumes after the completed steps", async () => {
    erp.on("POST", "/erp/api/sales-orders").once().reply(500, "upstream exploded");
    erp.on("POST", "/erp/api/sales-orders").reply(201, { id: "SO-000002" });
    const first = await run();
    expect(first.error).toMatchObject({ errorClass: "REMOTE_UNAVAILABLE", retryable: true, status: 500 });
    expect(first.error!.message).toContain("upstream exploded");

    const retry = await run({ resumeFrom: first });
    expect(retry).toMatchObject({ status: "SUCCEEDED", attempt: 2, result: { salesOrderId: "SO-000002" } });
    expect(retry.steps.map((s) => [s.name, s.replayed])).toEqual([
      ["validate order", true],
      ["map to sales order", true],
      ["push to ERP", false],
    ]);
    // Both attempts sent the same Idempotency-Key: the ERP books the order once.
    expect(erp.requests.map((r) => r.headers["idempotency-key"])).toEqual(["order-42", "order-42"]);
  });

  it("an ERP that never answers times out as REMOTE_UNAVAILABLE", async () => {
    erp.on("POST", "/erp/api/sales-orders").timeout();
    const result = await run({ httpTimeoutMs: 300 });
    expect(result.error).toMatchObject({ errorClass: "REMOTE_UNAVAILABLE", retryable: true });
    expect(result.error!.message).toMatch(/TIMEOUT/);
    expect(result.http[0]).toMatchObject({ status: null, error: expect.stringMatching(/TIMEOUT/) });
  });

  it("a malformed (cut off) JSON answer is INVALID_DATA, not retried", async () => {
    erp.on("POST", "/erp/api/sales-orders").malformed();
    const result = await run();
    expect(result.error).toMatchObject({ errorClass: "INVALID_DATA", retryable: false });
    expect(result.error!.message).toMatch(/not JSON/);
  });

  it("a dropped connection is REMOTE_UNAVAILABLE", async () => {
    erp.on("POST", "/erp/api/sales-orders").reset();
    expect((await run()).error).toMatchObject({ errorClass: "REMOTE_UNAVAILABLE", retryable: true });
  });

  it("an order without lines fails validation with the builder's own words and never calls the ERP", async () => {
    const result = await run({ payload: { ...order, lines: [] } });
    expect(result.error).toMatchObject({ errorClass: "INVALID_DATA", retryable: false });
    expect(result.error!.customerMessage).toContain("an order needs at least one line");
    expect(erp.requests).toHaveLength(0);
  });
});

describe("orders-to-erp's warehouse choices, loaded locally", () => {
  it("lists the account's warehouses of the chosen region", async () => {
    erp.on("GET", "/erp/api/warehouses").reply(200, { data: [{ code: "VIE-1", name: "Vienna" }] });
    const { options } = await loadOptions(ordersToErp, "warehouse", {
      config: { region: "AT" },
      connections: { erp: { baseUrl: erp.url, credentials: { apiKey: "erp-secret-key" } } },
    });
    expect(options).toEqual([{ value: "VIE-1", label: "Vienna (VIE-1)" }]);
    expect(erp.requests[0]).toMatchObject({ path: "/erp/api/warehouses", query: { region: "AT" } });
  });

  it("a refused key surfaces as AuthError, which the wizard shows as 'reconnect'", async () => {
    erp.on("GET", "/erp/api/warehouses").reply(401, { error: { code: "invalid_api_key" } });
    await expect(
      loadOptions(ordersToErp, "warehouse", { connections: { erp: { baseUrl: erp.url, credentials: { apiKey: "wrong" } } } }),
    ).rejects.toMatchObject({ errorClass: "AUTH", status: 401 });
  });
});
