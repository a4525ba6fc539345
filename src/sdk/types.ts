import type { z } from "zod";

export type AuthKind = "oauth2" | "apiKey" | "basic" | "none";

export interface ConnectionDeclaration {
  /** Key of the App (connector) this connection is for, e.g. "erp". */
  app: string;
  auth: AuthKind;
  /** Shown in the customer's wizard. */
  description?: string;
}

export type ConnectionDeclarations = Record<string, ConnectionDeclaration>;

export type Trigger =
  | { webhook: Record<string, never> | { maxBytes?: number } }
  | { schedule: { cron: string; timezone?: string } }
  | { event: string }
  | { manual: true };

export type TriggerType = "webhook" | "schedule" | "event" | "manual";

export interface RetryPolicy {
  /** Total attempts including the first (default 3). */
  attempts?: number;
  /** Upper bound of one backoff delay (default 5 minutes). */
  maxDelayMs?: number;
}

/** An opaque handle to one of the instance's connections; pass it to ctx.http. */
export interface ConnectionHandle<K extends string = string> {
  readonly key: K;
  readonly app: string;
  readonly auth: AuthKind;
}

export interface HttpRequestOptions {
  /** Serialized as the JSON body (and sets content-type). */
  json?: unknown;
  /** A raw body; ignored when json is given. */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** The body parsed as JSON (already read; throws InvalidDataError if it is not JSON). */
  json<T = unknown>(): T;
  text(): string;
}

/**
 * A client for one connection's app: paths are relative to the app's base URL, auth is applied
 * from the connection, every exchange is recorded (credentials masked). A non-2xx answer throws
 * a classified error (AuthError, RateLimitedError, RemoteUnavailableError, InvalidDataError).
 */
export interface HttpClient {
  get(path: string, options?: HttpRequestOptions): Promise<HttpResponse>;
  post(path: string, options?: HttpRequestOptions): Promise<HttpResponse>;
  put(path: string, options?: HttpRequestOptions): Promise<HttpResponse>;
  patch(path: string, options?: HttpRequestOptions): Promise<HttpResponse>;
  delete(path: string, options?: HttpRequestOptions): Promise<HttpResponse>;
}

export interface FlowLogger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface InstanceStateStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** The value must be JSON. */
  set(key: string, value: unknown): Promise<void>;
}

export interface TriggerInfo {
  type: TriggerType;
  /**
   * The body: parsed JSON for JSON content types, an object for form bodies, the text otherwise
   * (null without a body). Reading an invalid JSON body throws InvalidDataError.
   */
  readonly payload: unknown;
  contentType: string | null;
  headers?: Record<string, string>;
}

export interface CustomerInfo {
  id: string;
  externalId: string;
  name: string | null;
}

export interface FlowContext<Config, Conns extends ConnectionDeclarations> {
  config: Config;
  connections: { readonly [K in keyof Conns & string]: ConnectionHandle<K> };
  /**
   * A durable step: once it completed, its (JSON) result is stored and a retried run gets the
   * stored result instead of running `fn` again. Give steps stable names.
   */
  step<T>(name: string, fn: () => T | Promise<T>): Promise<T>;
  http(connection: ConnectionHandle): HttpClient;
  log: FlowLogger;
  /** The business id of what this run handles (e.g. the order number), for search and support. */
  reference(id: string | number): void;
  state: InstanceStateStore;
  trigger: TriggerInfo;
  customer: CustomerInfo;
  execution: { id: string; attempt: number };
}

export interface FlowDefinition<Config, Conns extends ConnectionDeclarations> {
  name?: string;
  description?: string;
  trigger: Trigger;
  retry?: RetryPolicy;
  run(ctx: FlowContext<Config, Conns>): unknown;
}

// Any zod object schema; `z.output` of it types ctx.config.
export type ConfigSchema = z.ZodObject;

export interface IntegrationDefinition<
  Schema extends ConfigSchema = ConfigSchema,
  Conns extends ConnectionDeclarations = ConnectionDeclarations,
> {
  key: string;
  name: string;
  description?: string;
  category?: string;
  icon?: string;
  config: Schema;
  connections?: Conns;
  flows: Record<string, FlowDefinition<z.output<Schema>, Conns>>;
}

export const INTEGRATION_BRAND = "portico.integration/v1";

/** What defineIntegration returns: the definition plus a brand the loader checks. */
export type Integration<
  Schema extends ConfigSchema = ConfigSchema,
  Conns extends ConnectionDeclarations = ConnectionDeclarations,
> = IntegrationDefinition<Schema, Conns> & { readonly $portico: typeof INTEGRATION_BRAND };

// The shape the engine handles at run time, where config/connection types are erased.
export type AnyIntegration = Integration<ConfigSchema, ConnectionDeclarations>;
export type AnyFlow = FlowDefinition<unknown, ConnectionDeclarations>;
