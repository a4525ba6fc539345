import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAddressPolicy, type Resolver } from "./address-policy";
import { createHttpClient, type ConnectionRuntime } from "./http-client";
import { createOutboundAgent } from "./outbound-agent";

// SSRF (reliability plan 4.4): a canary TCP listener on 127.0.0.2 counts every connection while
// ctx.http tries to reach it every way we know — literal IPs in all their spellings, names that
// resolve to it, a DNS answer that mixes public and private, a redirect. Pass: 0 connections.
// Only 127.0.0.1 (the "sandbox") is allowlisted.

let canary: Server;
let canaryPort = 0;
let canaryHits = 0;
let redirector: ReturnType<typeof createHttpServer>;
let redirectorUrl = "";

beforeAll(async () => {
  canary = createServer((socket) => {
    canaryHits++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => canary.listen(0, "127.0.0.2", resolve));
  canaryPort = (canary.address() as AddressInfo).port;
  redirector = createHttpServer((_req, res) => {
    res.writeHead(302, { location: `http://127.0.0.2:${canaryPort}/latest/meta-data/` });
    res.end();
  });
  await new Promise<void>((resolve) => redirector.listen(0, "127.0.0.1", resolve));
  redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
});

afterAll(async () => {
  redirector.closeAllConnections();
  await new Promise((r) => redirector.close(r));
  await new Promise((r) => canary.close(r));
});

/** DNS as an attacker would serve it: every name answers with `addresses`. */
const stubDns =
  (addresses: string[]): Resolver =>
  (_hostname, _options, callback) =>
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
    );

function client(baseUrl: string, opts: { allowlist?: string[]; resolver?: Resolver } = {}) {
  const policy = createAddressPolicy(opts.allowlist ?? ["127.0.0.1"], opts.resolver);
  const dispatcher = createOutboundAgent({ policy, connectTimeoutMs: 1_000, headersTimeoutMs: 1_000, bodyTimeoutMs: 1_000 });
  const conn: ConnectionRuntime = { key: "app", app: "app", baseUrl, auth: "apiKey", credentials: { apiKey: "k-123456" } };
  return { http: createHttpClient(conn, { dispatcher, policy, record: () => {}, currentStep: () => null }), dispatcher, policy };
}

describe("outbound calls to private addresses", () => {
  const p = () => canaryPort;
  it.each([
    ["a loopback literal", () => `http://127.0.0.2:${p()}`],
    ["a decimal IP", () => `http://2130706434:${p()}`],
    ["a hex IP", () => `http://0x7f000002:${p()}`],
    ["a short dotted IP", () => `http://127.2:${p()}`],
    ["an IPv4-mapped IPv6 literal", () => `http://[::ffff:127.0.0.2]:${p()}`],
    ["an IPv4-mapped IPv6 literal in hex", () => `http://[::ffff:7f00:2]:${p()}`],
    ["a NAT64 IPv6 literal", () => `https://[64:ff9b::7f00:2]:${p()}`],
    ["the unspecified address", () => `http://0.0.0.0:${p()}`],
    ["IPv6 loopback", () => `http://[::1]:${p()}`],
    ["an IPv6 unique-local address", () => "https://[fd00::1]"],
    ["the cloud metadata address", () => "http://169.254.169.254"],
  ])("refuses %s before connecting", async (_what, url) => {
    const before = canaryHits;
    await expect(client(url()).http.get("/")).rejects.toMatchObject({ errorClass: "CONFIG", message: expect.stringContaining("refused") });
    expect(canaryHits).toBe(before);
  });

  it("refuses a name that resolves to loopback (checked on the address actually dialled)", async () => {
    const before = canaryHits;
    await expect(client(`https://internal.example:${p()}`, { resolver: stubDns(["127.0.0.2"]) }).http.get("/")).rejects.toMatchObject({
      errorClass: "CONFIG",
      message: expect.stringContaining("127.0.0.2"),
    });
    // localhost, with nothing allowlisted, through the system resolver.
    await expect(client(`https://localhost:${p()}`, { allowlist: [] }).http.get("/")).rejects.toMatchObject({ errorClass: "CONFIG" });
    expect(canaryHits).toBe(before);
  });

  it("refuses a DNS answer where any address is private, even when public ones come first", async () => {
    const before = canaryHits;
    await expect(
      client(`https://rebind.example:${p()}`, { resolver: stubDns(["93.184.216.34", "127.0.0.2"]) }).http.get("/"),
    ).rejects.toMatchObject({ errorClass: "CONFIG" });
    expect(canaryHits).toBe(before);
  });

  it("checks at connect time in the pool itself, not only in ctx.http's URL check", async () => {
    const before = canaryHits;
    const { dispatcher } = client("https://unused.example", { resolver: stubDns(["127.0.0.2"]) });
    await expect(request(`http://127.0.0.2:${p()}/`, { dispatcher })).rejects.toThrow(/refused/);
    await expect(request(`http://rebound.example:${p()}/`, { dispatcher })).rejects.toThrow(/refused/);
    expect(canaryHits).toBe(before);
    await dispatcher.close();
  });

  it("does not follow a redirect from an allowed host to a private one", async () => {
    const before = canaryHits;
    await expect(client(redirectorUrl).http.get("/")).rejects.toMatchObject({ status: 302 });
    expect(canaryHits).toBe(before);
  });

  it("refuses plain http to a public name that is not allowlisted, and credentials in the URL", async () => {
    await expect(client("http://api.example.com").http.get("/")).rejects.toMatchObject({ errorClass: "CONFIG", message: expect.stringContaining("https") });
    await expect(client("https://user:pw@api.example.com").http.get("/")).rejects.toMatchObject({ errorClass: "CONFIG" });
  });

  it("lets the allowlisted sandbox through", async () => {
    const res = await client(redirectorUrl).dispatcher.request({ origin: redirectorUrl, path: "/", method: "GET" });
    expect(res.statusCode).toBe(302);
    await res.body.dump();
  });
});
