// Typed wrapper over /_admin for tests that drive a sandbox over HTTP (integration, e2e, bench),
// including one started as a separate process by sandbox/main.ts.
import type { FaultRule, FaultRuleInput } from "./faults/fault-rules";
import type { RecordedRequest } from "./request-log";
import type { EffectsSnapshot, RateLimitConfig } from "./state";

export interface SandboxConfigInput {
  shop?: { acceptedTokens?: string[] };
  erp?: { acceptedKeys?: string[]; rateLimit?: Partial<RateLimitConfig> };
}

export interface RequestFilter {
  app?: "shop" | "erp";
  method?: string;
  pathPrefix?: string;
  afterId?: number;
}

export function sandboxAdmin(baseUrl: string) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, baseUrl), {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox admin ${method} ${path} → ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  return {
    addFault: (rule: FaultRuleInput) => call<FaultRule>("POST", "/_admin/faults", rule),
    listFaults: () => call<{ data: FaultRule[] }>("GET", "/_admin/faults").then((r) => r.data),
    clearFaults: (app?: "shop" | "erp") => call("DELETE", `/_admin/faults${app ? `?app=${app}` : ""}`),
    requests: (filter: RequestFilter = {}) => {
      const qs = new URLSearchParams(
        Object.entries(filter)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, String(v)]),
      );
      return call<{ data: RecordedRequest[] }>("GET", `/_admin/requests?${qs}`).then((r) => r.data);
    },
    clearRequests: () => call("DELETE", "/_admin/requests"),
    effects: () => call<EffectsSnapshot>("GET", "/_admin/effects"),
    configure: (config: SandboxConfigInput) => call("POST", "/_admin/config", config),
    reset: () => call("POST", "/_admin/reset"),
  };
}

export type SandboxAdmin = ReturnType<typeof sandboxAdmin>;
