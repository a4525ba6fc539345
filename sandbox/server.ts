// One node:http server hosting every sandbox app under its own path prefix, plus /_admin and
// /_health. Each startSandbox() call has its own state, so parallel tests never share data.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleAdmin } from "./admin-api";
import { handleErp } from "./erp/erp-api";
import { applyFault } from "./faults/apply-fault";
import { takeFault } from "./faults/fault-rules";
import { BodyTooLarge, errorReply, readBody, sendReply, type AppRequest, type Reply } from "./http-io";
import { recordRequest } from "./request-log";
import { handleShop } from "./shop/shop-api";
import { createSandboxState, type AppName, type SandboxState } from "./state";

export type { SandboxState } from "./state";

export interface SandboxOptions {
  /** 0 = a random free port. */
  port?: number;
  host?: "127.0.0.1";
}

export interface RunningSandbox {
  url: string;
  port: number;
  state: SandboxState;
  close(): Promise<void>;
}

const APPS: Record<AppName, (req: AppRequest, state: SandboxState) => Reply> = {
  shop: handleShop,
  erp: handleErp,
};

function appFor(path: string): AppName | null {
  for (const app of Object.keys(APPS) as AppName[]) {
    if (path === `/${app}` || path.startsWith(`/${app}/`)) return app;
  }
  return null;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const state = createSandboxState();
  const timers = new Set<NodeJS.Timeout>();
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox.local");
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname;

    if (path === "/_health") return sendReply(res, { status: 200, body: { status: "ok" } });
    if (path === "/")
      return sendReply(res, {
        status: 200,
        body: { apps: { "acme-shop": "/shop/api/orders", erp: "/erp/api/sales-orders" }, admin: "/_admin" },
      });

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLarge) return sendReply(res, errorReply(413, "payload_too_large", err.message));
      throw err;
    }

    const app = appFor(path);
    const request: AppRequest = {
      method,
      path,
      subpath: app ? path.slice(app.length + 1) : path,
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    if (!app) {
      if (path.startsWith("/_admin/")) return sendReply(res, handleAdmin(request, state));
      return sendReply(res, errorReply(404, "not_found", `no app at ${path}`));
    }

    const recorded = recordRequest(state, { app, method, path, query: url.search, headers: req.headers, body });
    const rule = takeFault(state, { app, method, path });
    if (rule) recorded.fault = rule.mode;

    if (rule?.phase === "before") {
      const result = await applyFault(rule, res, null, delay);
      if (result.handled) {
        recorded.status = result.status;
        return;
      }
    }
    const reply = APPS[app](request, state);
    if (rule?.phase === "after") {
      const result = await applyFault(rule, res, reply, delay);
      if (result.handled) {
        recorded.status = result.status;
        return;
      }
    }
    if (res.destroyed) return; // the client gave up while a "slow" fault waited
    recorded.status = reply.status;
    sendReply(res, reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A sandbox bug must show up as a 500 in the test that hit it, not crash the process.
      console.error("sandbox: unhandled error", err);
      if (!res.headersSent) sendReply(res, errorReply(500, "sandbox_bug", String(err)));
      else res.destroy();
    });
  });

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    port,
    state,
    // Idempotent: a test may close early and its fixture close again.
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        // Hanging and stalled requests never finish by themselves, and keep-alive sockets would
        // hold close() open for seconds.
        server.closeAllConnections();
      })),
  };
}
