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
import type { AddressPolicy } from "./address-policy";
import { bodyForRecord, maskHeaders, maskUrl, scrubSecrets } from "./redact";

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
  /** Largest response body read into memory. */
  maxResponseBytes?: number;
  userAgent?: string;
}

const DEFAULT_MAX_RESPONSE = 10 * 1024 * 1024;

export function secretsOf(credentials: Credentials): string[] {
  return Object.values(credentials).filter((v): v is string => typeof v === "string" && v.length > 0);
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
  const excerpt = body.length > 300 ? `${body.slice(0, 300)}…` : body;
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

function networkError(conn: ConnectionRuntime, method: string, path: string, err: unknown): PorticoError {
  if (err instanceof PorticoError) return err;
  const e = err as { code?: string; message?: string; cause?: unknown };
  // The address policy's refusal arrives wrapped by the connector in some undici paths.
  if (e.cause instanceof PorticoError) return e.cause;
  const code = e.code ?? "";
  const what = code.includes("TIMEOUT") ? "timed out" : "failed";
  if (NETWORK_CODES.test(code) || err instanceof Error)
    return new RemoteUnavailableError(`${method} ${path} ${what}: ${code ? `${code} ` : ""}${e.message ?? ""}`.trim(), {
      app: conn.app,
      cause: err,
    });
  return new RemoteUnavailableError(`${method} ${path} failed`, { app: conn.app, cause: err });
}

async function readCapped(body: AsyncIterable<Uint8Array>, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) throw new InvalidDataError(`response body is larger than ${max} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks, size);
}

/** ctx.http(connection): see HttpClient in the SDK for the contract. */
export function createHttpClient(conn: ConnectionRuntime, deps: HttpClientDeps): HttpClient {
  const secrets = secretsOf(conn.credentials);
  const extraSensitive = conn.apiKeyHeader ? [conn.apiKeyHeader] : [];
  const maxResponse = deps.maxResponseBytes ?? DEFAULT_MAX_RESPONSE;

  async function send(method: Dispatcher.HttpMethod, path: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
    const url = resolveUrl(conn, path, options.query);
    deps.policy.checkLiteral(url.hostname);
    let body: string | Uint8Array | undefined;
    const headers: Record<string, string> = { "user-agent": deps.userAgent ?? "Portico", accept: "application/json, */*;q=0.5" };
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] = "application/json";
    } else if (options.body !== undefined) {
      body = options.body;
    }
    for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
    const withAuth = { ...headers, ...authHeaders(conn) };

    const startedAt = new Date();
    const t0 = performance.now();
    const stepName = deps.currentStep();
    const base = {
      stepName,
      method,
      url: scrubSecrets(maskUrl(url.toString()), secrets),
      requestHeaders: maskHeaders(withAuth, extraSensitive),
      requestBody: bodyForRecord(body, headers["content-type"], secrets),
      startedAt,
    };

    let res: Dispatcher.ResponseData;
    let raw: Buffer;
    try {
      res = await request(url, { method, headers: withAuth, body, dispatcher: deps.dispatcher });
      raw = await readCapped(res.body, maxResponse);
    } catch (err) {
      const classified = networkError(conn, method, url.pathname, err);
      deps.record({
        ...base,
        status: null,
        responseHeaders: null,
        responseBody: null,
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
      responseHeaders: maskHeaders(resHeaders, extraSensitive),
      responseBody: bodyForRecord(raw, resHeaders["content-type"], secrets),
      error: null,
      durationMs: Math.round(performance.now() - t0),
    });

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
