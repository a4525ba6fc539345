import { AsyncLocalStorage } from "node:async_hooks";
import { classifyError, customerMessage, isRetryable } from "@/engine/executor/classify";
import { parsePayload } from "@/engine/executor/flow-context";
import { createAddressPolicy } from "@/engine/http/address-policy";
import { createHttpClient, type ConnectionRuntime, type Credentials, type HttpExchangeRecord } from "@/engine/http/http-client";
import { createOutboundAgent } from "@/engine/http/outbound-agent";
import {
  ConfigError,
  type AnyIntegration,
  type AuthKind,
  type ConnectionHandle,
  type CustomerInfo,
  type ErrorClass,
  type HttpClient,
  type Integration,
  type TriggerType,
} from "@/sdk";
import type { z } from "zod";

// runFlow: one flow of an integration, run in-process with the engine's ctx semantics and no
// server: config parsed (defaults applied) by the integration's schema, steps whose results
// come back as JSON (what a retry would see), ctx.http through the engine's own client (undici,
// auth from the connection, credentials masked in the record, the same error classes), state
// kept in memory. Pass `resumeFrom` a previous result to run it the way the engine runs a
// retry: completed steps are returned, not run again.

export interface TestConnection {
  baseUrl: string;
  credentials?: Credentials;
  /** Defaults to the auth the integration declares for this connection. */
  auth?: AuthKind;
  /** Header an API key is sent in (the App's setting), default X-Api-Key. */
  apiKeyHeader?: string;
}

export interface RunFlowOptions<Config> {
  /** The instance's settings as a customer would enter them (the schema fills defaults). */
  config?: Partial<Config> | Record<string, unknown>;
  trigger?: {
    /** Sent as JSON unless `body` is given. */
    payload?: unknown;
    /** A raw body (e.g. to test a webhook that is not JSON). */
    body?: string;
    contentType?: string;
    headers?: Record<string, string>;
    type?: TriggerType;
  };
  connections?: Record<string, TestConnection>;
  /** The instance's state before the run (e.g. a stored cursor). */
  state?: Record<string, unknown>;
  customer?: Partial<CustomerInfo>;
  /** A previous failed result: its completed steps are returned instead of re-run (as on a retry). */
  resumeFrom?: RunFlowResult;
  /** Per-request timeouts of ctx.http (headers and body), default 10 s. */
  httpTimeoutMs?: number;
  /** Hosts ctx.http may reach although private; default loopback (where fakeRemote listens). */
  outboundAllowlist?: string[];
}

export interface StepRecord {
  seq: number;
  name: string;
  status: "SUCCEEDED" | "FAILED";
  /** The result as stored (JSON), for succeeded steps. */
  output?: unknown;
  errorClass?: ErrorClass;
  errorMessage?: string;
  /** True when the step's result came from `resumeFrom` (not run again). */
  replayed: boolean;
}

export interface LogRecord {
  level: "INFO" | "WARN" | "ERROR";
  message: string;
  data?: Record<string, unknown>;
  step: string | null;
}

export interface RunFlowResult {
  status: "SUCCEEDED" | "FAILED";
  /** What run() returned (as JSON). */
  result?: unknown;
  error?: {
    errorClass: ErrorClass;
    message: string;
    /** Whether the engine would try again (and, for RATE_LIMITED, when). */
    retryable: boolean;
    retryAfterMs?: number;
    status?: number;
    app?: string;
    /** The plain-language message the customer would see for a final failure. */
    customerMessage: string;
  };
  steps: StepRecord[];
  logs: LogRecord[];
  /** Every ctx.http exchange, as support would see it (credentials masked). */
  http: HttpExchangeRecord[];
  /** The instance state after the run. */
  state: Record<string, unknown>;
  reference: string | null;
  attempt: number;
}

const LOOPBACK = ["127.0.0.1", "localhost", "::1"];

function asJson(what: string, value: unknown): unknown {
  if (value === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new Error(`${what} is not JSON: ${(err as Error).message}`);
  }
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}

export async function runFlow<S extends z.ZodObject, C extends Record<string, { app: string; auth: AuthKind }>>(
  integration: Integration<S, C> | AnyIntegration,
  flowKey: string,
  options: RunFlowOptions<z.input<S>> = {},
): Promise<RunFlowResult> {
  const def = integration as AnyIntegration;
  const flow = def.flows[flowKey];
  if (!flow) throw new Error(`runFlow: "${flowKey}" is not a flow of ${def.key} (flows: ${Object.keys(def.flows).join(", ")})`);

  const policy = createAddressPolicy(options.outboundAllowlist ?? LOOPBACK);
  const timeout = options.httpTimeoutMs ?? 10_000;
  const dispatcher = createOutboundAgent({ policy, headersTimeoutMs: timeout, bodyTimeoutMs: timeout, connectTimeoutMs: timeout });

  const steps: StepRecord[] = [];
  const logs: LogRecord[] = [];
  const http: HttpExchangeRecord[] = [];
  const state = new Map<string, unknown>(Object.entries(asJson("state", options.state ?? {}) as Record<string, unknown>));
  const previous = new Map((options.resumeFrom?.steps ?? []).filter((s) => s.status === "SUCCEEDED").map((s) => [s.seq, s]));
  const attempt = (options.resumeFrom?.attempt ?? 0) + 1;
  const stepScope = new AsyncLocalStorage<string>();
  const currentStep = () => stepScope.getStore() ?? null;
  let reference: string | null = null;
  let seq = 0;

  const result: RunFlowResult = { status: "SUCCEEDED", steps, logs, http, state: {}, reference: null, attempt };
  try {
    const parsed = def.config.safeParse(options.config ?? {});
    if (!parsed.success)
      throw new ConfigError(`the instance's settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`).join("; ")}`);

    const runtimes: Record<string, ConnectionRuntime> = {};
    const handles: Record<string, ConnectionHandle> = {};
    for (const [key, decl] of Object.entries(def.connections ?? {})) {
      const given = options.connections?.[key];
      if (!given) {
        if (decl.auth !== "none") throw new ConfigError(`the "${key}" connection is not set up for this run (pass connections.${key})`, { app: decl.app });
        continue;
      }
      runtimes[key] = {
        key,
        app: decl.app,
        baseUrl: given.baseUrl,
        auth: given.auth ?? decl.auth,
        credentials: given.credentials ?? {},
        apiKeyHeader: given.apiKeyHeader ?? null,
      };
      handles[key] = Object.freeze({ key, app: decl.app, auth: runtimes[key].auth });
    }
    const clients = new Map<string, HttpClient>();

    const trig = options.trigger ?? {};
    const body = trig.body !== undefined ? Buffer.from(trig.body) : trig.payload === undefined ? null : Buffer.from(JSON.stringify(trig.payload));
    const contentType = trig.contentType ?? (body && trig.body === undefined ? "application/json" : null);
    let payload: { value: unknown } | undefined;

    const log = (level: LogRecord["level"]) => (message: string, data?: Record<string, unknown>) => {
      logs.push({ level, message: String(message), ...(data === undefined ? {} : { data: asJson("log data", data) as Record<string, unknown> }), step: currentStep() });
    };

    const ctx = {
      config: parsed.data,
      connections: handles,
      customer: { id: "cus_test", externalId: "test-customer", name: "Test customer", ...options.customer },
      execution: { id: "run_test", attempt },
      trigger: {
        type: trig.type ?? flowTriggerType(flow.trigger),
        contentType,
        ...(trig.headers ? { headers: trig.headers } : {}),
        get payload() {
          payload ??= { value: parsePayload(body, contentType) };
          return payload.value;
        },
      },
      log: { info: log("INFO"), warn: log("WARN"), error: log("ERROR") },
      reference(id: string | number) {
        reference = String(id).slice(0, 200);
      },
      async step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
        const mySeq = ++seq;
        const done = previous.get(mySeq);
        if (done && done.name === name) {
          steps.push({ ...done, replayed: true });
          return done.output as T;
        }
        try {
          const value = asJson(`the result of step "${name}"`, await stepScope.run(name, fn));
          steps.push({ seq: mySeq, name, status: "SUCCEEDED", output: value, replayed: false });
          return value as T;
        } catch (err) {
          const c = classifyError(err);
          steps.push({ seq: mySeq, name, status: "FAILED", errorClass: c.errorClass, errorMessage: c.message, replayed: false });
          throw err;
        }
      },
      http(connection: ConnectionHandle): HttpClient {
        const key = connection?.key;
        const runtime = key !== undefined ? runtimes[key] : undefined;
        if (!runtime) throw new Error(`ctx.http: "${String(key)}" is not one of this integration's connections`);
        let client = clients.get(key);
        if (!client) {
          client = createHttpClient(runtime, { dispatcher, policy, currentStep, record: (x) => http.push(x) });
          clients.set(key, client);
        }
        return client;
      },
      state: {
        async get<T = unknown>(key: string): Promise<T | undefined> {
          return state.get(key) as T | undefined;
        },
        async set(key: string, value: unknown): Promise<void> {
          if (value === undefined) state.delete(key);
          else state.set(key, asJson(`state "${key}"`, value));
        },
      },
    };

    result.result = asJson("the flow's result", await flow.run(ctx as never));
  } catch (err) {
    const c = classifyError(err);
    const retryable = isRetryable(c.errorClass);
    result.status = "FAILED";
    result.error = {
      errorClass: c.errorClass,
      message: c.message,
      retryable,
      ...(c.retryAfterMs !== undefined ? { retryAfterMs: c.retryAfterMs } : {}),
      ...(c.status !== undefined ? { status: c.status } : {}),
      ...(c.app !== undefined ? { app: c.app } : {}),
      customerMessage: customerMessage(c, { attempts: attempt, final: true }),
    };
  } finally {
    await dispatcher.destroy().catch(() => {});
  }
  result.state = Object.fromEntries(state);
  result.reference = reference;
  return result;
}

function flowTriggerType(trigger: object): TriggerType {
  if ("webhook" in trigger) return "webhook";
  if ("schedule" in trigger) return "schedule";
  if ("event" in trigger) return "event";
  return "manual";
}
