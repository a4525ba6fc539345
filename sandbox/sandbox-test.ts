// Test fixture: a fresh sandbox on a random port per test, closed after it (hanging requests
// included). Usable by any test that needs a third-party app: `sandboxTest("...", async ({ sandbox, admin }) => ...)`.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { test } from "vitest";
import { sandboxAdmin, type SandboxAdmin } from "./admin-client";
import { DEFAULT_ERP_KEY, DEFAULT_SHOP_TOKEN } from "./state";
import { startSandbox, type RunningSandbox } from "./server";

export const sandboxTest = test.extend<{ sandbox: RunningSandbox; admin: SandboxAdmin }>({
  sandbox: async ({}, use) => {
    const sandbox = await startSandbox({ port: 0 });
    await use(sandbox);
    await sandbox.close();
  },
  admin: async ({ sandbox }, use) => {
    await use(sandboxAdmin(sandbox.url));
  },
});

export const shopAuth = { authorization: `Bearer ${DEFAULT_SHOP_TOKEN}` };
export const erpAuth = { "x-api-key": DEFAULT_ERP_KEY };

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * node:http without keep-alive or retries, so a test sees exactly what the socket did
 * (fetch would hide an ECONNRESET behind "fetch failed").
 */
export function rawRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; signal?: AbortSignal } = {},
): Promise<RawResponse> {
  const payload = init.body === undefined ? undefined : JSON.stringify(init.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: init.method ?? "GET",
        agent: false,
        signal: init.signal,
        headers: { ...(payload ? { "content-type": "application/json" } : {}), ...init.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

export async function getJson<T = unknown>(url: string, headers: Record<string, string> = {}) {
  const res = await rawRequest(url, { headers });
  return { ...res, json: JSON.parse(res.body) as T };
}

/** Polls until `check` returns a value (the sandbox runs in-process, so a few turns suffice). */
export async function waitFor<T>(check: () => T | undefined | null | false, what: string): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
