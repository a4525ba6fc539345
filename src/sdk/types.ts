import type { z } from "zod";

export type AuthKind = "oauth2" | "apiKey" | "basic" | "none";

export interface ConnectionDeclaration {
  /** Key of the App (connector) this connection is for, e.g. "erp". */
  app: string;
  auth: AuthKind;
  /** Shown in the customer's wizard. */
  description?: string;
  /**
   * Default outbound rate limits for this app, shared by every worker: per connection (the
   * vendor's limit per account/key) and per app (all customers together). The app's own
   * setting in Portico (App.rateLimits) wins where both are set.
   */
  rateLimits?: {
    perConnection?: { limit: number; windowMs: number };
    perApp?: { limit: number; windowMs: number };
  };
}

export type ConnectionDeclarations = Record<string, ConnectionDeclaration>;

export type Trigger =
  | { webhook: Record<string, never> | { maxBytes?: number; signature?: WebhookSignature } }
  | {
      schedule: {
        cron: string;
        /** IANA time zone the cron is read in (default UTC). */
        timezone?: string;
        /** Name of a config field holding an IANA time zone: each instance's value overrides `timezone`. */
        timezoneFromConfig?: string;
        /** A tick while a run of this flow is still queued or running: "skip" it (default) or "queue" another run. */
        overlap?: "skip" | "queue";
      };
    }
  | { event: string }
  | { manual: true };

export type TriggerType = "webhook" | "schedule" | "event" | "manual";

/**
 * Check an HMAC-SHA256 signature of each delivery (the secret is generated per instance at deploy).
 * Signed content: the raw body, or `${timestamp}.${body}` when `timestampHeader` is set.
 * The header may carry several signatures (`v1=…,v1=…` or space-separated), hex or base64.
 */
export interface WebhookSignature {
  header: string;
  algorithm: "sha256";
  timestampHeader?: string;
  /** Allowed clock skew of the timestamp, both directions (default 300 s). */
  toleranceSec?: number;
}

/** Consecutive failed runs before the instance is paused as NEEDS_ATTENTION, and the probe's cool-down. */
export interface BreakerPolicy {
  /** Default 10. */
  failures?: number;
  /** Default 5 minutes. */
  coolDownMs?: number;
}

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
  /**
   * The `Idempotency-Key` header. By default a POST, PUT, PATCH or DELETE made inside a step
   * carries `<executionId>:<step position>:<n>` (n-th such call of that step): the same on every
   * attempt of the run, so an API that honours the header applies a retried step's call once.
   * A string sends that key; `false` sends none. An `Idempotency-Key` in `headers` wins.
   */
  idempotencyKey?: string | false;
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
  /** Wall-time limit of one attempt, in ms (default: the executor's, 15 minutes); past it the run fails as TIMEOUT. */
  timeoutMs?: number;
  /**
   * Runs with the same key (e.g. the order id) on one instance run one at a time, in arrival
   * order; different keys run in parallel. Receives the parsed payload; null/undefined = unordered.
   */
  orderingKey?: (payload: unknown) => string | number | null | undefined;
  breaker?: BreakerPolicy;
  run(ctx: FlowContext<Config, Conns>): unknown;
}

// Any zod object schema; `z.output` of it types ctx.config.
export type ConfigSchema = z.ZodObject;

/** A page of the customer's config wizard; fields name it with configField(schema, { page }). */
export interface ConfigPage {
  key: string;
  title: string;
  description?: string;
}

/** What configField attaches to a config field (kept in the zod schema's metadata). */
export interface ConfigFieldOptions {
  /**
   * Stable identity of the field across versions (default: its key). Rename the key in a later
   * version but keep the id, and upgrades carry the customer's value over to the new key.
   */
  id?: string;
  /** Key of the configPages entry the field is shown on (default: the first page). */
  page?: string;
  /** The field's label in the wizard (JSON Schema `title`; default: the key). */
  title?: string;
}

/** One choice of a config field whose options come from the connected account. */
export interface ConfigOption {
  value: string | number;
  label: string;
}

/** What an options loader gets: the config filled so far, the connections, HTTP through them, a log. */
export interface ConfigOptionsContext<Config, Conns extends ConnectionDeclarations> {
  /** The values the customer has entered so far (partial: later pages are still empty). */
  config: Partial<Config>;
  connections: { readonly [K in keyof Conns & string]: ConnectionHandle<K> };
  /** Like a flow's ctx.http: real calls with the connection's credentials (not recorded as a run's exchanges). */
  http(connection: ConnectionHandle): HttpClient;
  log: FlowLogger;
}

/**
 * Options of one config field, loaded from the connected account once the customer has connected
 * `connection`, and again whenever a field in `dependsOn` changes. Runs on the server with a time
 * limit (10 s); a thrown error (e.g. AuthError from ctx.http) is shown to the customer.
 */
export interface ConfigOptionsLoader<Config, Conns extends ConnectionDeclarations> {
  connection: keyof Conns & string;
  dependsOn?: (keyof Config & string)[];
  load(ctx: ConfigOptionsContext<Config, Conns>): ConfigOption[] | Promise<ConfigOption[]>;
}

export type ConfigOptionsLoaders<Config, Conns extends ConnectionDeclarations> = {
  [K in keyof Config & string]?: ConfigOptionsLoader<Config, Conns>;
};

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
  /** Wizard pages in display order; fields pick theirs with configField(schema, { page }). Default: one page. */
  configPages?: ConfigPage[];
  /** Config fields whose options are loaded from a connected account, by field key. */
  configOptions?: ConfigOptionsLoaders<z.input<Schema>, Conns>;
  connections?: Conns;
  flows: Record<string, FlowDefinition<z.output<Schema>, Conns>>;
  /**
   * Turns the config of an instance on an older version (`fromVersion` is its number) into this
   * version's shape when the instance is upgraded; the result is then validated by `config`.
   * Values have already moved to this version's keys by field id (configField's `id`), so a
   * rename that keeps the id needs no migrate. Without it the config is validated as is
   * (defaults fill new fields).
   */
  migrate?: MigrateConfig;
}

export type MigrateConfig = (oldConfig: Record<string, unknown>, fromVersion: number) => Record<string, unknown>;

export const INTEGRATION_BRAND = "portico.integration/v1";

/** What defineIntegration returns: the definition plus a brand the loader checks. */
export type Integration<
  Schema extends ConfigSchema = ConfigSchema,
  Conns extends ConnectionDeclarations = ConnectionDeclarations,
> = IntegrationDefinition<Schema, Conns> & { readonly $portico: typeof INTEGRATION_BRAND };

// The shape the engine handles at run time, where config/connection types are erased.
export type AnyIntegration = Integration<ConfigSchema, ConnectionDeclarations>;
export type AnyFlow = FlowDefinition<unknown, ConnectionDeclarations>;
