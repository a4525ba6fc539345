// What reached each app, for tests that check what the engine actually sent (headers, bodies,
// idempotency keys, retry spacing). Credentials are replaced by a fingerprint: a test can still
// tell which token was used (compare with maskSecret(expected)) without the log holding secrets.
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { nextId, type AppName, type SandboxState } from "./state";

/** Load tests send thousands of requests; keep the newest ones only. */
export const MAX_RECORDED_REQUESTS = 10_000;
/** Bodies are kept up to this many bytes (as UTF-8 text). */
export const MAX_RECORDED_BODY = 8 * 1024;

const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "x-api-key", "cookie"]);

export interface RecordedRequest {
  id: number;
  app: AppName;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  bodyBytes: number;
  receivedAt: string;
  /** Status sent; null while pending or when a fault hung up or reset the connection. */
  status: number | null;
  /** Fault mode applied to this request, if any. */
  fault: string | null;
}

export function maskSecret(value: string): string {
  const fingerprint = createHash("sha256").update(value).digest("hex").slice(0, 12);
  return `[masked sha256:${fingerprint}]`;
}

function maskHeader(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name)) return value;
  // Keep the scheme ("Bearer", "Basic") so a test can see which kind of credential was sent.
  const scheme = /^(\w+)\s+(.+)$/.exec(value);
  if (scheme && name.endsWith("authorization")) return `${scheme[1]} ${maskSecret(scheme[2]!)}`;
  return maskSecret(value);
}

export function recordRequest(
  state: SandboxState,
  entry: { app: AppName; method: string; path: string; query: string; headers: IncomingHttpHeaders; body: Buffer },
): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(entry.headers)) {
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(", ") : raw;
    headers[name] = maskHeader(name, value);
  }
  const recorded: RecordedRequest = {
    id: nextId(state),
    app: entry.app,
    method: entry.method,
    path: entry.path,
    query: entry.query,
    headers,
    body: entry.body.subarray(0, MAX_RECORDED_BODY).toString("utf8"),
    bodyBytes: entry.body.length,
    receivedAt: new Date().toISOString(),
    status: null,
    fault: null,
  };
  state.requests.push(recorded);
  if (state.requests.length > MAX_RECORDED_REQUESTS) {
    state.requests.shift();
    state.requestsDropped++;
  }
  return recorded;
}
