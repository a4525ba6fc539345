import { request, type Dispatcher } from "undici";
import {
  AuthError,
  ConfigError,
  InvalidDataError,
  PorticoError,
  RateLimitedError,
  RemoteUnavailableError,
  type HttpClient,
  type HttpRequestOptions,
  type HttpResponse,
} from "@/sdk";
import type { RateLimiter } from "../rate-limit/rate-limiter";
import type { RateLimitScope } from "../rate-limit/rate-limits";
import type { AddressPolicy } from "./address-policy";
import { bodyForRecord, DEFAULT_BODY_LIMIT, maskBodyFields, maskHeaders, maskUrl, scrubSecrets, secretVariants } from "./redact";

/** The credentials a connection holds (decrypted), by auth type. */
export type Credentials = { apiKey?: string; accessToken?: string; username?: string; password?: string };

export interface ConnectionRuntime {
  key: string;
  app: string;
  baseUrl: string;
  auth: "oauth2" | "apiKey" | "basic" | "none";
  credentials: Credentials;
  /** Header an API key is sent in (App.apiKeyHeader), default X-Api-Key. */
  apiKeyHeader?: string | null;
  /** What the calls count against (App.rateLimits); without it, calls are not rate limited. */
  rateLimit?: RateLimitScope;
}

/** One request/response as stored for support (already masked and truncated). */
export interface HttpExchangeRecord {
  stepName: string | null;
  method: string;
  url: string;
  status: number | null;
  requestHeaders: Record<string, string>;
  requestBody: string | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  startedAt: Date;
}

export interface HttpClientDeps {
  dispatcher: Dispatcher;
  policy: AddressPolicy;
  record(exchange: HttpExchangeRecord): void;
  currentStep(): string | null;
  /**
   * The default Idempotency-Key of a side-effecting call made now (read synchronously when the
   * call starts), or null (outside a step; the options loaders). Absent: no default key.
   */
  defaultIdempotencyKey?(): string | null;
  /** Largest response body read into memory. */
  maxResponseBytes?: number;
  userAgent?: string;
  /** The process's shared limiter (Redis); applied to connections that carry a rateLimit scope. */
  rateLimiter?: RateLimiter;
}

/** Default response cap: past it the call fails with a clear error instead of filling memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/**
 * Every form of a connection's secrets that must never be stored: the values, their URL/JSON/
 * base64 encodings, and the Basic credentials as sent.
 */
export function secretsOf(credentials: Credentials): string[] {
  const values = Object.values(credentials).filter((v): v is string => typeof v === "string" && v.length > 0);
  if (credentials.username && credentials.password) values.push(`${credentials.username}:${credentials.password}`);
  return secretVariants(values);
}

function authHeaders(conn: ConnectionRuntime): Record<string, string> {
  const c = conn.credentials;
  switch (conn.auth) {
    case "apiKey":
      if (!c.apiKey) throw new ConfigError(`connection "${conn.key}" has no API key`, { app: conn.app });
      return { [conn.apiKeyHeader || "X-Api-Key"]: c.apiKey };
    case "oauth2":
      if (!c.accessToken) throw new AuthError(`connection "${conn.key}" has no access token`, { app: conn.app });
      return { authorization: `Bearer ${c.accessToken}` };
    case "basic":
      if (!c.username) throw new ConfigError(`connection "${conn.key}" has no username`, { app: conn.app });
      return { authorization: `Basic ${Buffer.from(`${c.username}:${c.password ?? ""}`).toString("base64")}` };
    case "none":
      return {};
  }
}

function resolveUrl(conn: ConnectionRuntime, path: string, query: HttpRequestOptions["query"]): URL {
  const base = new URL(conn.baseUrl.endsWith("/") ? conn.baseUrl : `${conn.baseUrl}/`);
  const url = new URL(path.replace(/^\//, ""), base);
  // Credentials must only ever travel to the app's own origin.
  if (url.origin !== base.origin)
    throw new Error(`ctx.http(${conn.key}) only calls ${base.origin}; ${url.origin} is another origin`);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}

/**
 * Schemes and URL forms an outbound call may use: https, or http to an allowlisted host (the
 * sandbox); never credentials in the URL's userinfo.
 */
function checkUrl(conn: ConnectionRuntime, url: URL, policy: AddressPolicy): void {
  if (url.username || url.password)
    throw new ConfigError(`the base URL of "${conn.app}" must not carry a user name or password; use the connection's credentials`, { app: conn.app });
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && policy.isAllowlisted(url.hostname)) return;
  throw new ConfigError(`outbound call to ${url.protocol}//${url.host} refused: calls must use https (plain http only to hosts in OUTBOUND_ALLOWLIST)`, { app: conn.app });
}

/** Seconds or an HTTP date (RFC 9110 §10.2.3), or X-RateLimit-Reset as epoch seconds. */
export function retryAfterMs(headers: Record<string, string>, now = Date.now()): number | undefined {
  const ra = headers["retry-after"];
  if (ra) {
    if (/^\d+$/.test(ra.trim())) return Number(ra) * 1000;
    const at = Date.parse(ra);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = headers["x-ratelimit-reset"];
  if (reset && /^\d+$/.test(reset.trim())) {
    const n = Number(reset);
    // Epoch seconds when large, delta seconds when small (both conventions exist).
    return n > 1e9 ? Math.max(0, n * 1000 - now) : n * 1000;
  }
  return undefined;
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

function statusError(conn: ConnectionRuntime, method: string, path: string, status: number, headers: Record<string, string>, body: string): PorticoError {
  // No NUL in the message: it is stored in text columns (errorMessage), which cannot hold one.
  const masked = maskBodyFields(body.replaceAll("\u0000", "\uFFFD"), headers["content-type"]);
  const excerpt = masked.length > 300 ? `${masked.slice(0, 300)}…` : masked;
  const msg = `${method} ${path} → ${status}${excerpt ? `: ${excerpt}` : ""}`;
  const opts = { status, app: conn.app };
  if (status === 401 || status === 403) return new AuthError(msg, opts);
  if (status === 429) {
    const after = retryAfterMs(headers);
    return new RateLimitedError(msg, after === undefined ? opts : { ...opts, retryAfterMs: after });
  }
  if (status === 408 || status >= 500) return new RemoteUnavailableError(msg, opts);
  return new InvalidDataError(msg, opts);
}

const NETWORK_CODES = /^(UND_ERR_|ECONN|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|UND_ERR)/;

// undici's names for its timeouts, in words support can act on.
const TIMEOUT_WORDS: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: "could not connect in time",
  UND_ERR_HEADERS_TIMEOUT: "no answer in time (headers timeout)",
  UND_ERR_BODY_TIMEOUT: "the answer stalled (body timeout)",
};

function networkError(conn: ConnectionRuntime, method: string, path: string, err: unknown, secrets: readonly string[]): PorticoError {
  if (err instanceof PorticoError) return err;
  const e = err as { code?: string; message?: string; cause?: unknown };
  // The address policy's refusal arrives wrapped by the connector in some undici paths.
  if (e.cause instanceof PorticoError) return e.cause;
  const code = e.code ?? "";
  const what = TIMEOUT_WORDS[code] ?? (code.includes("TIMEOUT") ? "timed out" : "failed");
  // No `cause`: the original error may carry request details (headers) into logs.
  const detail = scrubSecrets(`${code ? `${code} ` : ""}${e.message ?? ""}`.trim(), secrets);
  if (NETWORK_CODES.test(code) || err instanceof Error)
    return new RemoteUnavailableError(`${method} ${path} ${what}${detail ? `: ${detail}` : ""}`, { app: conn.app });
  return new RemoteUnavailableError(`${method} ${path} failed`, { app: conn.app });
}

export class ResponseTooLargeError extends InvalidDataError {
  override name = "ResponseTooLargeError";
}

function tooLarge(conn: ConnectionRuntime, method: string, path: string, max: number, status: number): ResponseTooLargeError {
  return new ResponseTooLargeError(`${method} ${path}: the response is larger than ${max} bytes, the most a call may read; the call was aborted`, { app: conn.app, status });
}

/** How much of an aborted (too large) answer is kept for the exchange record: the record's 8 KiB cut. */
const KEPT_HEAD_BYTES = DEFAULT_BODY_LIMIT;

/**
 * Reads the body up to `max` bytes; past it the socket is dropped (iterator return destroys it).
 * `onTooLarge` gets the first bytes read (empty when a declared length was already too large),
 * so support still sees what the remote began to send.
 */
async function readCapped(res: Dispatcher.ResponseData, max: number, onTooLarge: (head: Buffer) => Error): Promise<Buffer> {
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) {
    res.body.destroy();
    throw onTooLarge(Buffer.alloc(0));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    if (size + chunk.length > max) {
      const first: Buffer[] = [];
      let kept = 0;
      for (const c of [...chunks, Buffer.from(chunk)]) {
        if (kept >= KEPT_HEAD_BYTES) break;
        first.push(c);
        kept += c.length;
      }
      throw onTooLarge(Buffer.concat(first).subarray(0, KEPT_HEAD_BYTES));
    }
    size += chunk.length;
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks, size);
}

const SIDE_EFFECTING = new Set<string>(["POST", "PUT", "PATCH", "DELETE"]);

/** ctx.http(connection): see HttpClient in the SDK for the contract. */
export function createHttpClient(conn: ConnectionRuntime, deps: HttpClientDeps): HttpClient {
  const secrets = secretsOf(conn.credentials);
  const extraSensitive = conn.apiKeyHeader ? [conn.apiKeyHeader] : [];
  const maxResponse = deps.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const limiter = conn.rateLimit ? deps.rateLimiter : undefined;

  async function send(method: Dispatcher.HttpMethod, path: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
    const url = resolveUrl(conn, path, options.query);
    deps.policy.checkLiteral(url.hostname);
    checkUrl(conn, url, deps.policy);
    let body: string | Uint8Array | undefined;
    const headers: Record<string, string> = { "user-agent": deps.userAgent ?? "Portico", accept: "application/json, */*;q=0.5" };
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] = "application/json";
    } else if (options.body !== undefined) {
      body = options.body;
    }
    for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
    if (!("idempotency-key" in headers) && options.idempotencyKey !== false) {
      const key = typeof options.idempotencyKey === "string" ? options.idempotencyKey : SIDE_EFFECTING.has(method) ? deps.defaultIdempotencyKey?.() : null;
      if (key) headers["idempotency-key"] = key;
    }
    const withAuth = { ...headers, ...authHeaders(conn) };

    const startedAt = new Date();
    const stepName = deps.currentStep();
    const base = {
      stepName,
      method,
      url: scrubSecrets(maskUrl(url.toString()), secrets),
      requestHeaders: maskHeaders(withAuth, extraSensitive, secrets),
      requestBody: bodyForRecord(body, headers["content-type"], secrets),
      startedAt,
    };

    // Waits for the rate limit (or defers the run) before the clock starts: the exchange's
    // duration is the remote's time, not ours.
    if (limiter && conn.rateLimit) await limiter.acquire(conn.rateLimit);
    base.startedAt = new Date();
    const t0 = performance.now();

    let res: Dispatcher.ResponseData | undefined;
    let raw: Buffer;
    let abortedHead: Buffer | undefined;
    try {
      // Redirects are not followed (undici's request does not, by default): a 3xx is returned
      // as an error, so credentials never travel to another origin and no hop escapes the policy.
      res = await request(url, { method, headers: withAuth, body, dispatcher: deps.dispatcher });
      const status = res.statusCode;
      raw = await readCapped(res, maxResponse, (head) => {
        abortedHead = head;
        return tooLarge(conn, method, url.pathname, maxResponse, status);
      });
    } catch (err) {
      const classified = networkError(conn, method, url.pathname, err, secrets);
      deps.record({
        ...base,
        status: res?.statusCode ?? null,
        responseHeaders: res ? maskHeaders(flatHeaders(res.headers), extraSensitive, secrets) : null,
        // A too-large answer keeps its first 8 KiB, marked as cut; other failures keep no body.
        responseBody: res && abortedHead?.length ? `${bodyForRecord(abortedHead, flatHeaders(res.headers)["content-type"], secrets)}… [aborted: larger than ${maxResponse} bytes]` : null,
        error: scrubSecrets(classified.message, secrets),
        durationMs: Math.round(performance.now() - t0),
      });
      throw classified;
    }

    const resHeaders = flatHeaders(res.headers);
    const text = raw.toString("utf8");
    deps.record({
      ...base,
      status: res.statusCode,
      responseHeaders: maskHeaders(resHeaders, extraSensitive, secrets),
      responseBody: bodyForRecord(raw, resHeaders["content-type"], secrets),
      error: null,
      durationMs: Math.round(performance.now() - t0),
    });

    if (res.statusCode === 429 && limiter && conn.rateLimit) await limiter.reportRateLimited(conn.rateLimit, retryAfterMs(resHeaders));
    if (res.statusCode < 200 || res.statusCode >= 300)
      throw statusError(conn, method, url.pathname, res.statusCode, resHeaders, scrubSecrets(text, secrets));

    return {
      status: res.statusCode,
      headers: resHeaders,
      text: () => text,
      json<T>(): T {
        try {
          return JSON.parse(text) as T;
        } catch {
          throw new InvalidDataError(`${method} ${url.pathname}: response is not JSON`, { status: res.statusCode, app: conn.app });
        }
      },
    };
  }

  return {
    get: (path, o) => send("GET", path, o),
    post: (path, o) => send("POST", path, o),
    put: (path, o) => send("PUT", path, o),
    patch: (path, o) => send("PATCH", path, o),
    delete: (path, o) => send("DELETE", path, o),
  };
}
