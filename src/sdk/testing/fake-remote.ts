import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

// A scriptable stand-in for a third-party API, for builders' tests: a real HTTP server on
// 127.0.0.1 (random port), so ctx.http meets real sockets, status codes and timeouts.
//
//   const remote = await fakeRemote();
//   remote.on("POST", "/erp/api/sales-orders").once().reply(429, { error: "slow down" }, { "retry-after": "2" });
//   remote.on("POST", "/erp/api/sales-orders").reply(201, { id: "SO-1" });
//   … runFlow(…, { connections: { erp: { baseUrl: remote.url, credentials: { apiKey: "k" } } } })
//   remote.requests  // what arrived
//   await remote.close();

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  json<T = unknown>(): T;
}

export interface FakeReply {
  status: number;
  /** An object is sent as JSON; a string as it is (text/plain unless headers say otherwise). */
  body?: unknown;
  headers?: Record<string, string>;
}

type Behaviour =
  | { kind: "reply"; make: (req: FakeRequest) => FakeReply | Promise<FakeReply> }
  | { kind: "timeout" }
  | { kind: "malformed" }
  | { kind: "reset" };

export interface FakeRoute {
  /** Answer only the next matching request (then the next route that matches takes over). */
  once(): FakeRoute;
  /** Answer only the next `n` matching requests. */
  times(n: number): FakeRoute;
  reply(status: number, body?: unknown, headers?: Record<string, string>): FakeRoute;
  reply(make: (req: FakeRequest) => FakeReply | Promise<FakeReply>): FakeRoute;
  /** Never answer: the client's timeout has to fire (or remote.close() ends the socket). */
  timeout(): FakeRoute;
  /** 200 with a JSON content type and a body cut off halfway. */
  malformed(): FakeRoute;
  /** Drop the connection without an answer (the client sees ECONNRESET / "other side closed"). */
  reset(): FakeRoute;
}

export interface FakeRemote {
  /** Base URL, e.g. http://127.0.0.1:53211 — give it as a connection's baseUrl. */
  url: string;
  /** `path` is the exact path (no query) or a RegExp; method "*" matches any. Routes match in the order added. */
  on(method: string, path: string | RegExp): FakeRoute;
  /** Every request that arrived, in order (matched or not). */
  readonly requests: FakeRequest[];
  /** Forget routes and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

interface Rule {
  method: string;
  path: string | RegExp;
  remaining: number;
  behaviour: Behaviour | null;
}

function send(res: ServerResponse, reply: FakeReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  const lower = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
  let payload = "";
  if (reply.body !== undefined) {
    if (typeof reply.body === "string") {
      payload = reply.body;
      if (!lower.has("content-type")) headers["content-type"] = "text/plain; charset=utf-8";
    } else {
      payload = JSON.stringify(reply.body);
      if (!lower.has("content-type")) headers["content-type"] = "application/json";
    }
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export async function fakeRemote(): Promise<FakeRemote> {
  const rules: Rule[] = [];
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const body = Buffer.concat(chunks).toString("utf8");
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      const request: FakeRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body,
        json: <T>() => JSON.parse(body) as T,
      };
      requests.push(request);

      const rule = rules.find(
        (r) =>
          r.behaviour &&
          r.remaining > 0 &&
          (r.method === "*" || r.method === request.method) &&
          (typeof r.path === "string" ? r.path === request.path : r.path.test(request.path)),
      );
      if (!rule?.behaviour) {
        send(res, { status: 404, body: { error: `fakeRemote: no route for ${request.method} ${request.path}` } });
        return;
      }
      rule.remaining--;
      const b = rule.behaviour;
      switch (b.kind) {
        case "timeout":
          hanging.add(res);
          res.on("close", () => hanging.delete(res));
          return;
        case "malformed":
          res.writeHead(200, { "content-type": "application/json" });
          res.end('{"data": [{"id": "ord_1", "tot');
          return;
        case "reset":
          req.socket.destroy();
          return;
        case "reply":
          Promise.resolve()
            .then(() => b.make(request))
            .then(
              (reply) => send(res, reply),
              (err: unknown) => send(res, { status: 500, body: { error: `fakeRemote reply threw: ${(err as Error).message}` } }),
            );
      }
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on(method, path) {
      const rule: Rule = { method: method.toUpperCase(), path, remaining: Infinity, behaviour: null };
      rules.push(rule);
      const route: FakeRoute = {
        once: () => route.times(1),
        times(n) {
          rule.remaining = n;
          return route;
        },
        reply(statusOrMake: number | ((req: FakeRequest) => FakeReply | Promise<FakeReply>), body?: unknown, headers?: Record<string, string>) {
          rule.behaviour =
            typeof statusOrMake === "function"
              ? { kind: "reply", make: statusOrMake }
              : { kind: "reply", make: () => ({ status: statusOrMake, body, ...(headers ? { headers } : {}) }) };
          return route;
        },
        timeout() {
          rule.behaviour = { kind: "timeout" };
          return route;
        },
        malformed() {
          rule.behaviour = { kind: "malformed" };
          return route;
        },
        reset() {
          rule.behaviour = { kind: "reset" };
          return route;
        },
      };
      return route;
    },
    reset() {
      rules.length = 0;
      requests.length = 0;
    },
    async close() {
      for (const s of sockets) s.destroy();
      hanging.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
