import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect } from "vitest";
import { sandboxTest } from "../../../sandbox/sandbox-test";
import { createAddressPolicy } from "./address-policy";
import { createHttpClient, type ConnectionRuntime, type HttpExchangeRecord } from "./http-client";
import { createOutboundAgent } from "./outbound-agent";
import { MASK } from "./redact";

// ctx.http against the sandbox's injected faults, over real sockets: every way a remote can
// misbehave ends as a classified error (and a recorded exchange), never a hung run or an OOM.

const ERP_KEY = "erp-demo-key";
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function clientFor(baseUrl: string, opts: { maxResponseBytes?: number; connectionsPerOrigin?: number; credentials?: ConnectionRuntime["credentials"] } = {}) {
  const policy = createAddressPolicy(["127.0.0.1"]);
  const dispatcher = createOutboundAgent({
    policy,
    headersTimeoutMs: 400,
    bodyTimeoutMs: 400,
    connectTimeoutMs: 1_000,
    connectionsPerOrigin: opts.connectionsPerOrigin ?? 4,
  });
  closers.push(() => dispatcher.destroy());
  const records: HttpExchangeRecord[] = [];
  const conn: ConnectionRuntime = { key: "erp", app: "erp", baseUrl, auth: "apiKey", credentials: opts.credentials ?? { apiKey: ERP_KEY } };
  const http = createHttpClient(conn, {
    dispatcher,
    policy,
    record: (x) => records.push(x),
    currentStep: () => "a step",
    ...(opts.maxResponseBytes ? { maxResponseBytes: opts.maxResponseBytes } : {}),
  });
  return { http, records };
}

describe("ctx.http against a misbehaving remote", () => {
  sandboxTest("a remote that never answers is cut off by the headers timeout as REMOTE_UNAVAILABLE", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "erp", mode: "hang" });
    const { http, records } = clientFor(sandbox.url);
    await expect(http.get("/erp/api/sales-orders")).rejects.toMatchObject({ errorClass: "REMOTE_UNAVAILABLE", message: expect.stringContaining("headers timeout") });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ method: "GET", status: null, error: expect.stringContaining("headers timeout"), stepName: "a step" });
  });

  sandboxTest("a body that stalls half-way is cut off by the body timeout", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "erp", mode: "stall" });
    const { http, records } = clientFor(sandbox.url);
    await expect(http.get("/erp/api/sales-orders")).rejects.toMatchObject({ errorClass: "REMOTE_UNAVAILABLE", message: expect.stringContaining("body timeout") });
    expect(records[0]).toMatchObject({ status: 200, error: expect.stringContaining("body timeout") });
  });

  sandboxTest("a response past the cap is aborted with a clear error, and the pool keeps working", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "erp", mode: "large", bytes: 8 * 1024 * 1024 });
    const { http, records } = clientFor(sandbox.url, { maxResponseBytes: 256 * 1024 });
    await expect(http.get("/erp/api/sales-orders")).rejects.toMatchObject({
      name: "ResponseTooLargeError",
      errorClass: "INVALID_DATA",
      message: expect.stringContaining(`larger than ${256 * 1024} bytes`),
    });
    // The record keeps the first 8 KiB of what arrived, marked as cut.
    expect(records[0]).toMatchObject({ status: 200, error: expect.stringContaining("larger than") });
    expect(records[0]!.responseBody).toBe(`{"data":"${"x".repeat(8 * 1024 - 9)}… [aborted: larger than ${256 * 1024} bytes]`);
    // The next call gets a healthy socket.
    const res = await http.get("/erp/api/sales-orders");
    expect(res.status).toBe(200);
  });

  sandboxTest("a truncated JSON body is INVALID_DATA when read, and recorded as received", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "erp", mode: "malformed" });
    const { http, records } = clientFor(sandbox.url);
    const res = await http.get("/erp/api/sales-orders");
    expect(() => res.json()).toThrow(expect.objectContaining({ errorClass: "INVALID_DATA" }));
    expect(records[0]!.responseBody).toBe(res.text());
  });

  sandboxTest("a reset connection is REMOTE_UNAVAILABLE", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "erp", mode: "reset" });
    const { http, records } = clientFor(sandbox.url);
    await expect(http.get("/erp/api/sales-orders")).rejects.toMatchObject({ errorClass: "REMOTE_UNAVAILABLE", message: expect.stringMatching(/ECONNRESET|other side closed|socket/i) });
    expect(records[0]).toMatchObject({ status: null, error: expect.any(String) });
  });

  sandboxTest("statuses map to error classes, and a 429 carries its Retry-After", async ({ sandbox, admin }) => {
    const { http } = clientFor(sandbox.url);
    await admin.addFault({ app: "erp", mode: "status", status: 429, retryAfter: 7 });
    await expect(http.get("/erp/api/sales-orders")).rejects.toMatchObject({ errorClass: "RATE_LIMITED", retryAfterMs: 7_000, status: 429 });
    for (const status of [400, 404, 422]) {
      await admin.addFault({ app: "erp", mode: "status", status, body: { error: "bad" } });
      await expect(http.get("/erp/api/sales-orders")).rejects.toMatchObject({ errorClass: "INVALID_DATA", status });
    }
    await admin.addFault({ app: "erp", mode: "status", status: 302, headers: { location: "http://127.0.0.2/" } });
    // Redirects are not followed: credentials stay with the app's origin, no hop escapes the policy.
    await expect(http.get("/erp/api/sales-orders")).rejects.toMatchObject({ errorClass: "INVALID_DATA", status: 302 });
  });
});

describe("the outbound pool", () => {
  sandboxTest("keeps at most the configured sockets per origin, however many calls are in flight", async () => {
    let sockets = 0;
    let open = 0;
    let maxOpen = 0;
    const server: Server = createServer((_req, res) => {
      setTimeout(() => res.end('{"ok":true}'), 30);
    });
    server.on("connection", (s) => {
      sockets++;
      open++;
      maxOpen = Math.max(maxOpen, open);
      s.on("close", () => open--);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    closers.push(() => new Promise((r) => server.close(r)));
    server.unref();
    const { http } = clientFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connectionsPerOrigin: 3 });

    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => http.get(`/x/${i}`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(maxOpen).toBeLessThanOrEqual(3);
    // Keep-alive: the sockets were reused, not one per call.
    expect(sockets).toBeLessThanOrEqual(3);
    server.closeAllConnections();
  });
});

describe("what an exchange record keeps", () => {
  sandboxTest("secrets in the query, headers and bodies are masked by name and by value; bodies are cut at 8 KiB", async ({ sandbox, admin }) => {
    const credential = "Cred+/sEcret-9f8e7d";
    const planted = "planted-value-5c4b3a";
    await admin.configure({ erp: { acceptedKeys: [credential] } });
    await admin.addFault({
      app: "erp",
      mode: "status",
      status: 200,
      body: { access_token: planted, echo: `your key is ${credential}`, padding: "p".repeat(20_000) },
    });
    const { http, records } = clientFor(sandbox.url, { credentials: { apiKey: credential } });
    await http.post("/erp/api/sales-orders", {
      query: { api_key: planted, token: planted, access_token: planted, signature: planted, key: planted, page: 2 },
      headers: { "X-Signature": planted, "X-Echo": `k=${credential}`, "Idempotency-Key": "order-1" },
      json: { externalId: "1", password: planted, note: credential, lines: [] },
    });

    const [x] = records;
    const text = JSON.stringify(records);
    expect(text).not.toContain(planted);
    expect(text).not.toContain(credential);
    expect(text).not.toContain(encodeURIComponent(credential));
    const url = new URL(x!.url);
    for (const name of ["api_key", "token", "access_token", "signature", "key"]) expect(url.searchParams.get(name)).toBe(MASK);
    expect(url.searchParams.get("page")).toBe("2");
    expect(x!.requestHeaders).toMatchObject({ "x-api-key": MASK, "x-signature": MASK, "x-echo": `k=${MASK}`, "idempotency-key": "order-1" });
    expect(JSON.parse(x!.requestBody!)).toEqual({ externalId: "1", password: MASK, note: MASK, lines: [] });
    expect(x!.responseBody!.startsWith(`{"access_token":"${MASK}","echo":"your key is ${MASK}"`)).toBe(true);
    expect(x!.responseBody).toMatch(/… \[truncated, \d+ bytes\]$/);
    expect(Buffer.byteLength(x!.responseBody!)).toBeLessThan(8 * 1024 + 64);
    expect(x).toMatchObject({ method: "POST", status: 200, durationMs: expect.any(Number), startedAt: expect.any(Date) });
  });
});
