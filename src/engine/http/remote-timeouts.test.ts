import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { afterEach, describe, expect } from "vitest";
import type { Agent } from "undici";
import { sandboxTest } from "../../../sandbox/sandbox-test";
import { createAddressPolicy } from "./address-policy";
import { createHttpClient, DEFAULT_MAX_RESPONSE_BYTES, type ConnectionRuntime, type HttpExchangeRecord } from "./http-client";
import { createOutboundAgent } from "./outbound-agent";

// Reliability plan T3 (timeouts) and T6 (oversize response) at the client: each way a remote can
// hang is cut off by the timeout configured for it, classed REMOTE_UNAVAILABLE, and leaves no
// sockets behind in the per-origin pool; an answer past the default cap is aborted at the cap.

const CONNECT_TIMEOUT_MS = 300;
const HEADERS_TIMEOUT_MS = 300;
const BODY_TIMEOUT_MS = 300;
const SOCKETS_PER_ORIGIN = 2;
/** More calls than sockets, so some queue behind the hung ones. */
const CALLS = 5;

const closers: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function clientFor(baseUrl: string, opts: { maxResponseBytes?: number } = {}) {
  const policy = createAddressPolicy(["127.0.0.1"]);
  const dispatcher = createOutboundAgent({
    policy,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    headersTimeoutMs: HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: BODY_TIMEOUT_MS,
    connectionsPerOrigin: SOCKETS_PER_ORIGIN,
  }) as Agent;
  closers.push(() => dispatcher.destroy());
  const records: HttpExchangeRecord[] = [];
  const conn: ConnectionRuntime = { key: "erp", app: "erp", baseUrl, auth: "apiKey", credentials: { apiKey: "erp-demo-key" } };
  const http = createHttpClient(conn, {
    dispatcher,
    policy,
    record: (x) => records.push(x),
    currentStep: () => "a step",
    ...(opts.maxResponseBytes ? { maxResponseBytes: opts.maxResponseBytes } : {}),
  });
  /** Sockets the pool holds open to this origin (undici's per-origin stats). */
  const connected = () => dispatcher.stats[new URL(baseUrl).origin]?.connected ?? 0;
  return { http, records, connected };
}

/**
 * A port whose SYNs go unanswered, offline and on loopback only: a listener with a backlog of 0
 * that never accepts (a Python child: Node accepts by itself), its one queue slot taken by a
 * filler connection. Linux drops further SYNs while the accept queue is full, so a connect hangs
 * until the client gives up — a connect black hole.
 */
async function blackHole(): Promise<string> {
  const child: ChildProcess = spawn(
    "python3",
    ["-c", "import socket,sys\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()"],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  closers.push(() => {
    child.kill("SIGTERM");
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.stdout!.once("data", (d) => resolve(Number(String(d).trim())));
  });
  const filler = net.connect(port, "127.0.0.1");
  filler.on("error", () => {});
  closers.push(() => {
    filler.destroy();
  });
  await new Promise<void>((resolve) => filler.once("connect", () => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Fires CALLS requests at once and returns how each ended. */
async function callsAtOnce(call: () => Promise<unknown>) {
  return Promise.allSettled(Array.from({ length: CALLS }, call));
}

function expectAllRemoteUnavailable(results: PromiseSettledResult<unknown>[], words: string) {
  for (const r of results) {
    expect(r.status).toBe("rejected");
    expect((r as PromiseRejectedResult).reason).toMatchObject({ errorClass: "REMOTE_UNAVAILABLE", message: expect.stringContaining(words) });
  }
}

describe("timeouts (T3): each hang is cut off by its own timeout", () => {
  sandboxTest("a remote that never accepts the connection is cut off by the connect timeout as REMOTE_UNAVAILABLE; no socket is kept", async () => {
    const { http, records, connected } = clientFor(await blackHole());
    const results = await callsAtOnce(() => http.get("/erp/api/sales-orders"));

    expectAllRemoteUnavailable(results, "could not connect in time");
    expect(records).toHaveLength(CALLS);
    for (const r of records) {
      expect(r).toMatchObject({ status: null, responseBody: null, error: expect.stringContaining("UND_ERR_CONNECT_TIMEOUT") });
      // Not given up before the configured timeout (a lower bound, not a speed check).
      expect(r.durationMs).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS * 0.9);
    }
    expect(connected()).toBe(0);
  });

  sandboxTest("headers never sent: every call is cut off by the headers timeout, and the pool keeps at most its cap of sockets", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "erp", mode: "hang", times: -1 });
    const { http, records, connected } = clientFor(sandbox.url);
    const results = await callsAtOnce(() => http.get("/erp/api/sales-orders"));

    expectAllRemoteUnavailable(results, "headers timeout");
    for (const r of records) expect(r.durationMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS * 0.9);
    expect(connected()).toBeLessThanOrEqual(SOCKETS_PER_ORIGIN);
    // Every call reached the remote: the queued ones went out over sockets freed by the timeouts.
    expect((await admin.requests({ app: "erp" })).length).toBe(CALLS);

    // The pool is not wedged by the hung sockets: a healthy call goes through afterwards.
    await admin.clearFaults();
    expect((await http.get("/erp/api/warehouses")).status).toBe(200);
    expect(connected()).toBeLessThanOrEqual(SOCKETS_PER_ORIGIN);
  });

  sandboxTest("a body that stalls: every call is cut off by the body timeout; the stalled sockets are not kept", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "erp", mode: "stall", times: -1 });
    const { http, records, connected } = clientFor(sandbox.url);
    const results = await callsAtOnce(() => http.get("/erp/api/sales-orders"));

    expectAllRemoteUnavailable(results, "body timeout");
    for (const r of records) {
      expect(r).toMatchObject({ status: 200, responseBody: null });
      expect(r.durationMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS * 0.9);
    }
    expect(connected()).toBeLessThanOrEqual(SOCKETS_PER_ORIGIN);

    await admin.clearFaults();
    expect((await http.get("/erp/api/warehouses")).status).toBe(200);
    expect(connected()).toBeLessThanOrEqual(SOCKETS_PER_ORIGIN);
  });
});

describe("oversize response (T6) at the default cap", () => {
  sandboxTest("a 50 MiB answer is aborted at the default 10 MiB cap with a clear error; the record keeps the first 8 KiB", async ({ sandbox, admin }) => {
    await admin.addFault({ app: "erp", mode: "large", bytes: 50 * 1024 * 1024 });
    const { http, records } = clientFor(sandbox.url);
    await expect(http.get("/erp/api/warehouses")).rejects.toMatchObject({
      name: "ResponseTooLargeError",
      errorClass: "INVALID_DATA",
      message: expect.stringContaining(`larger than ${DEFAULT_MAX_RESPONSE_BYTES} bytes`),
    });
    const body = records[0]!.responseBody!;
    expect(body.startsWith('{"data":"xxxx')).toBe(true);
    const [kept] = body.split("… [aborted");
    expect(Buffer.byteLength(kept!)).toBe(8 * 1024);
    expect(body).toContain(`[aborted: larger than ${DEFAULT_MAX_RESPONSE_BYTES} bytes]`);
  });
});
