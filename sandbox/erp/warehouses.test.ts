import { describe, expect } from "vitest";
import { erpAuth, rawRequest, sandboxTest } from "../sandbox-test";

describe("erp warehouses API", () => {
  sandboxTest("lists the account's warehouses, optionally of one region", async ({ sandbox }) => {
    const all = await rawRequest(`${sandbox.url}/erp/api/warehouses`, { headers: erpAuth });
    expect(all.status).toBe(200);
    expect(JSON.parse(all.body).data.map((w: { code: string }) => w.code)).toEqual(["MAIN", "BER-1", "HAM-2", "VIE-1"]);
    const at = await rawRequest(`${sandbox.url}/erp/api/warehouses?region=AT`, { headers: erpAuth });
    expect(JSON.parse(at.body).data).toEqual([{ code: "VIE-1", name: "Vienna", region: "AT" }]);
  });

  sandboxTest("another account sees only its own warehouse, and no key gets 401", async ({ sandbox, admin }) => {
    await admin.configure({ erp: { acceptedKeys: ["erp-demo-key", "other-account-key"] } });
    const other = await rawRequest(`${sandbox.url}/erp/api/warehouses`, { headers: { "x-api-key": "other-account-key" } });
    expect(JSON.parse(other.body).data.map((w: { code: string }) => w.code)).toEqual(["MAIN"]);
    expect((await rawRequest(`${sandbox.url}/erp/api/warehouses`)).status).toBe(401);
  });
});
