import { createAddressPolicy } from "@/engine/http/address-policy";
import { createHttpClient, type ConnectionRuntime, type HttpExchangeRecord } from "@/engine/http/http-client";
import { createOutboundAgent } from "@/engine/http/outbound-agent";
import type { AnyIntegration, AuthKind, ConfigOption, ConnectionHandle, Integration } from "@/sdk";
import type { z } from "zod";
import type { TestConnection } from "./run-flow";

// loadOptions: a config field's options loader run locally, the way the wizard's server runs it
// (the config filled so far, ctx.http through the engine's client), against e.g. a fakeRemote.

export interface LoadOptionsOptions<Config> {
  /** The values entered so far (partial). */
  config?: Partial<Config> | Record<string, unknown>;
  connections?: Record<string, TestConnection>;
  /** Hosts ctx.http may reach although private; default loopback (where fakeRemote listens). */
  outboundAllowlist?: string[];
}

export interface LoadOptionsResult {
  options: ConfigOption[];
  /** The HTTP exchanges the loader made (credentials masked). */
  http: HttpExchangeRecord[];
  logs: { level: "info" | "warn" | "error"; message: string; data?: Record<string, unknown> }[];
}

/** Runs the options loader of `field`; a loader error is thrown as it is (e.g. AuthError). */
export async function loadOptions<S extends z.ZodObject, C extends Record<string, { app: string; auth: AuthKind }>>(
  integration: Integration<S, C>,
  field: keyof z.input<S> & string,
  options: LoadOptionsOptions<z.input<S>> = {},
): Promise<LoadOptionsResult> {
  const def = integration as unknown as AnyIntegration;
  const loader = def.configOptions?.[field];
  if (!loader) throw new Error(`loadOptions: config field "${field}" of ${def.key} has no options loader`);
  const policy = createAddressPolicy(options.outboundAllowlist ?? ["127.0.0.1", "localhost", "::1"]);
  const dispatcher = createOutboundAgent({ policy });
  const http: HttpExchangeRecord[] = [];
  const logs: LoadOptionsResult["logs"] = [];
  const handles: Record<string, ConnectionHandle> = {};
  const runtimes: Record<string, ConnectionRuntime> = {};
  for (const [key, decl] of Object.entries(def.connections ?? {})) {
    handles[key] = Object.freeze({ key, app: decl.app, auth: decl.auth });
    const given = options.connections?.[key];
    if (given)
      runtimes[key] = { key, app: decl.app, baseUrl: given.baseUrl, auth: given.auth ?? decl.auth, credentials: given.credentials ?? {}, apiKeyHeader: given.apiKeyHeader ?? null };
  }
  const log = (level: "info" | "warn" | "error") => (message: string, data?: Record<string, unknown>) => logs.push({ level, message, ...(data ? { data } : {}) });
  try {
    const result = await loader.load({
      config: (options.config ?? {}) as Record<string, unknown>,
      connections: handles,
      http(connection: ConnectionHandle) {
        const runtime = runtimes[connection?.key];
        if (!runtime) throw new Error(`ctx.http: connection "${String(connection?.key)}" is not given (pass connections.${String(connection?.key)})`);
        return createHttpClient(runtime, { dispatcher, policy, currentStep: () => null, record: (x) => http.push(x) });
      },
      log: { info: log("info"), warn: log("warn"), error: log("error") },
    });
    return { options: result, http, logs };
  } finally {
    await dispatcher.destroy().catch(() => {});
  }
}
