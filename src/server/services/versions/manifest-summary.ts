import { configFormOf, Manifest, type ManifestTrigger } from "@/engine/bundle/manifest";

// A version's manifest in the terms the console shows: flows with their trigger in words,
// config fields with their description/default/choices, connections.

export interface ConfigFieldSummary {
  key: string;
  type: string;
  description: string | null;
  required: boolean;
  default?: unknown;
  choices?: unknown[];
  /** Stable id that keeps the customer's value across renames (equals the key unless the builder set one). */
  id: string;
  /** Title of the wizard page the field is on. */
  page: string;
  /** Choices loaded from the customer's connected account. */
  optionsFrom?: { connection: string; dependsOn: string[] };
}

export interface ManifestSummary {
  flows: { key: string; name: string; description: string | null; trigger: string; triggerType: ManifestTrigger["type"]; retryAttempts: number }[];
  configFields: ConfigFieldSummary[];
  /** Wizard pages in order (one "Settings" page when the builder declared none). */
  configPages: { key: string; title: string }[];
  connections: { key: string; app: string; auth: string; description: string | null }[];
}

export function describeTrigger(t: ManifestTrigger): string {
  switch (t.type) {
    case "webhook":
      return "Webhook";
    case "schedule":
      return `Schedule ${t.cron}${t.timezone ? ` (${t.timezone})` : " (UTC)"}`;
    case "event":
      return `Event ${t.event}`;
    case "manual":
      return "Manual";
  }
}

type JsonSchema = { type?: unknown; description?: unknown; default?: unknown; enum?: unknown[]; const?: unknown; anyOf?: JsonSchema[]; items?: JsonSchema; properties?: Record<string, JsonSchema>; required?: string[] };

function typeOf(s: JsonSchema): string {
  if (Array.isArray(s.enum)) return "choice";
  if (typeof s.type === "string") return s.type === "array" && s.items ? `list of ${typeOf(s.items)}` : s.type;
  if (Array.isArray(s.type)) return s.type.join(" | ");
  if (s.anyOf) return s.anyOf.map(typeOf).join(" | ");
  return "any";
}

export function summarizeManifest(raw: unknown): ManifestSummary {
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) return { flows: [], configFields: [], configPages: [], connections: [] };
  const m = parsed.data;
  const schema = m.configSchema as JsonSchema;
  const required = new Set(schema.required ?? []);
  const form = configFormOf(m);
  const pageOf = new Map(form.pages.flatMap((p) => p.fields.map((f) => [f, p.title] as const)));
  const firstPage = form.pages[0]?.title ?? "Settings";
  return {
    flows: Object.entries(m.flows).map(([key, f]) => ({
      key,
      name: f.name,
      description: f.description ?? null,
      trigger: describeTrigger(f.trigger),
      triggerType: f.trigger.type,
      retryAttempts: f.retry.attempts,
    })),
    configFields: Object.entries(schema.properties ?? {}).map(([key, s]) => ({
      key,
      type: typeOf(s),
      description: typeof s.description === "string" ? s.description : null,
      required: required.has(key),
      ...(s.default !== undefined ? { default: s.default } : {}),
      ...(Array.isArray(s.enum) ? { choices: s.enum } : {}),
      id: form.fields[key]?.id ?? key,
      page: pageOf.get(key) ?? firstPage,
      ...(form.fields[key]?.options ? { optionsFrom: form.fields[key].options } : {}),
    })),
    configPages: form.pages.map((p) => ({ key: p.key, title: p.title })),
    connections: Object.entries(m.connections).map(([key, c]) => ({ key, app: c.app, auth: c.auth, description: c.description ?? null })),
  };
}
