import { describe, expect } from "vitest";
import { erpAuth, rawRequest, sandboxTest } from "./sandbox-test";

const order = (externalId = "1001") => ({
  externalId,
  lines: [{ sku: "MUG-RED", quantity: 2, unitPrice: 12.9 }],
  total: 25.8,
});

describe("erp sales orders API", () => {
  sandboxTest("a sales order sent twice with the same Idempotency-Key is applied once", async ({ sandbox, admin }) => {
    const url = `${sandbox.url}/erp/api/sales-orders`;
    const headers = { ...erpAuth, "idempotency-key": "run-1:push" };
    const first = await rawRequest(url, { method: "POST", headers, body: order() });
    const again = await rawRequest(url, { method: "POST", headers, body: order() });

    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toBe(first.body); // same sales order id, same answer
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(await admin.effects()).toEqual({
      total: 1,
      byIdempotencyKey: { "run-1:push": 1 },
      byExternalId: { "1001": 1 },
      withoutIdempotencyKey: 0,
      replaysByIdempotencyKey: { "run-1:push": 1 },
    });
    const list = await rawRequest(url, { headers: erpAuth });
    expect(JSON.parse(list.body).data).toHaveLength(1);
  });

  sandboxTest("an ambiguous write retried with the same key is applied once", async ({ sandbox, admin }) => {
    // The ERP applies the write, then the connection drops before the answer (reliability plan T4).
    await admin.addFault({ app: "erp", match: { method: "POST" }, mode: "reset", phase: "after" });
    const url = `${sandbox.url}/erp/api/sales-orders`;
    const headers = { ...erpAuth, "idempotency-key": "run-2:push" };

    await expect(rawRequest(url, { method: "POST", headers, body: order("1002") })).rejects.toMatchObject({
      code: "ECONNRESET",
    });
    expect((await admin.effects()).byIdempotencyKey).toEqual({ "run-2:push": 1 });

    const retry = await rawRequest(url, { method: "POST", headers, body: order("1002") });
    expect(retry.status).toBe(201);
    const effects = await admin.effects();
    expect(effects.byIdempotencyKey).toEqual({ "run-2:push": 1 });
    expect(effects.byExternalId).toEqual({ "1002": 1 });
  });

  sandboxTest("a retry without a key shows up as a duplicate effect", async ({ sandbox, admin }) => {
    const url = `${sandbox.url}/erp/api/sales-orders`;
    await rawRequest(url, { method: "POST", headers: erpAuth, body: order("1003") });
    await rawRequest(url, { method: "POST", headers: erpAuth, body: order("1003") });
    expect(await admin.effects()).toMatchObject({ total: 2, withoutIdempotencyKey: 2, byExternalId: { "1003": 2 } });
  });

  sandboxTest("the same key with a different body is refused with 409 and applies nothing", async ({ sandbox, admin }) => {
    const url = `${sandbox.url}/erp/api/sales-orders`;
    const headers = { ...erpAuth, "idempotency-key": "k" };
    await rawRequest(url, { method: "POST", headers, body: order("1004") });
    const clash = await rawRequest(url, { method: "POST", headers, body: order("other") });
    expect(clash.status).toBe(409);
    expect((await admin.effects()).total).toBe(1);
  });

  sandboxTest("an invalid sales order answers 422 with field errors and applies nothing", async ({ sandbox, admin }) => {
    const res = await rawRequest(`${sandbox.url}/erp/api/sales-orders`, {
      method: "POST",
      headers: { ...erpAuth, "idempotency-key": "bad" },
      body: { externalId: "", lines: [{ sku: "X", quantity: 0 }] },
    });
    expect(res.status).toBe(422);
    const { error } = JSON.parse(res.body);
    expect(error.code).toBe("validation_failed");
    expect(Object.keys(error.fields).sort()).toEqual(["externalId", "lines.0.quantity", "total"]);
    expect((await admin.effects()).total).toBe(0);

    // a corrected request may reuse the key: failed validation is not stored under it
    const fixed = await rawRequest(`${sandbox.url}/erp/api/sales-orders`, {
      method: "POST",
      headers: { ...erpAuth, "idempotency-key": "bad" },
      body: order("1005"),
    });
    expect(fixed.status).toBe(201);
  });

  sandboxTest("a missing or unknown X-Api-Key answers 401", async ({ sandbox }) => {
    const url = `${sandbox.url}/erp/api/sales-orders`;
    expect((await rawRequest(url)).status).toBe(401);
    const wrong = await rawRequest(url, { headers: { "x-api-key": "nope" } });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body).error.code).toBe("invalid_api_key");
  });
});
