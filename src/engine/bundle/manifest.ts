import { z } from "zod";
import { AppError } from "@/lib/errors";
import { CONFIG_FIELD_META, configFieldOptions, type AnyIntegration, type ConfigPage } from "@/sdk";

// The manifest is the JSON a version carries beside its code: what the console, the wizard and
// the engine need to know without evaluating the bundle.

export const KEY = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const FLOW_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

export const ManifestTrigger = z.union([
  z.object({
    type: z.literal("webhook"),
    maxBytes: z.number().int().positive().optional(),
    /** HMAC check of each delivery (src/engine/ingest/verify-signature.ts). */
    signature: z
      .object({
        header: z.string().min(1),
        algorithm: z.literal("sha256"),
        timestampHeader: z.string().min(1).optional(),
        toleranceSec: z.number().int().positive().optional(),
      })
      .optional(),
  }),
  z.object({
    type: z.literal("schedule"),
    cron: z.string(),
    /** IANA zone the cron is read in (default UTC). */
    timezone: z.string().optional(),
    /** A config field whose value (an IANA zone) overrides `timezone` per instance. */
    timezoneFromConfig: z.string().optional(),
    /** A tick while a run of the flow is still queued/running: skip it (default) or queue another. */
    overlap: z.enum(["skip", "queue"]).optional(),
  }),
  z.object({ type: z.literal("event"), event: z.string().min(1) }),
  z.object({ type: z.literal("manual") }),
]);
export type ManifestTrigger = z.infer<typeof ManifestTrigger>;

/**
 * The customer's config wizard: pages of fields in display order (every config field on exactly
 * one page), and per field its stable id (kept across renames, so upgrades carry the value) and,
 * for fields whose choices come from the connected account, the connection the options are
 * loaded through and the fields whose values they depend on (configForms.options loads them).
 */
export const ConfigForm = z.object({
  pages: z.array(
    z.object({
      key: z.string().min(1),
      title: z.string().min(1),
      description: z.string().optional(),
      fields: z.array(z.string()),
    }),
  ),
  fields: z.record(
    z.string(),
    z.object({
      id: z.string().min(1),
      options: z.object({ connection: z.string().min(1), dependsOn: z.array(z.string()) }).optional(),
    }),
  ),
});
export type ConfigForm = z.infer<typeof ConfigForm>;

export const Manifest = z.object({
  manifestVersion: z.literal(1),
  key: z.string().regex(KEY),
  name: z.string().min(1),
  description: z.string().optional(),
  category: z.string().optional(),
  icon: z.string().optional(),
  connections: z.record(
    z.string(),
    z.object({
      app: z.string().min(1),
      auth: z.enum(["oauth2", "apiKey", "basic", "none"]),
      description: z.string().optional(),
    }),
  ),
  flows: z.record(
    z.string(),
    z.object({
      name: z.string(),
      description: z.string().optional(),
      trigger: ManifestTrigger,
      retry: z.object({ attempts: z.number().int().min(1).max(50), maxDelayMs: z.number().int().positive() }),
      /** The flow declares orderingKey(payload): ingest computes the key (src/engine/ordering). */
      ordered: z.boolean().optional(),
      breaker: z.object({ failures: z.number().int().min(1).max(1000), coolDownMs: z.number().int().positive() }).partial().optional(),
    }),
  ),
  /** JSON Schema (draft 2020-12) of the config, input side: fields with defaults are optional. */
  configSchema: z.record(z.string(), z.unknown()),
  /** How the wizard lays out the config (configSchema keeps labels, types, defaults): absent in older manifests, see configFormOf. */
  configForm: ConfigForm.optional(),
});
export type Manifest = z.infer<typeof Manifest>;

export const DEFAULT_CONFIG_PAGE = { key: "settings", title: "Settings" } as const;

/** The config fields' keys in schema order (the JSON Schema's properties). */
export function configFieldKeys(configSchema: Record<string, unknown>): string[] {
  const props = (configSchema as { properties?: unknown }).properties;
  return props && typeof props === "object" && !Array.isArray(props) ? Object.keys(props) : [];
}

/** The manifest's config form, or the default of a manifest without one: one page, every field, ids = keys. */
export function configFormOf(manifest: Pick<Manifest, "configSchema" | "configForm">): ConfigForm {
  if (manifest.configForm) return manifest.configForm;
  const keys = configFieldKeys(manifest.configSchema);
  return {
    pages: [{ ...DEFAULT_CONFIG_PAGE, fields: keys }],
    fields: Object.fromEntries(keys.map((k) => [k, { id: k }])),
  };
}

export const DEFAULT_RETRY = { attempts: 3, maxDelayMs: 5 * 60_000 } as const;

// Messages read "<field>: <reason>"; buildBundle and the publish endpoint put the file in front.
function invalid(field: string, message: string): AppError {
  return new AppError("BAD_INPUT", `${field}: ${message}`, { field, reason: message });
}

function triggerOf(flowKey: string, trigger: unknown): ManifestTrigger {
  const t = (trigger ?? {}) as Record<string, unknown>;
  const kinds = Object.keys(t);
  if (kinds.length !== 1) throw invalid(`flows.${flowKey}.trigger`, "needs exactly one of webhook, schedule, event, manual");
  if ("webhook" in t) {
    const w = t.webhook as { maxBytes?: unknown; signature?: unknown } | undefined;
    const maxBytes = w?.maxBytes;
    if (maxBytes !== undefined && (typeof maxBytes !== "number" || !Number.isInteger(maxBytes) || maxBytes <= 0))
      throw invalid(`flows.${flowKey}.trigger.webhook.maxBytes`, "must be a positive integer");
    let signature;
    if (w?.signature !== undefined) {
      const parsed = ManifestSignature.safeParse(w.signature);
      if (!parsed.success)
        throw invalid(`flows.${flowKey}.trigger.webhook.signature`, "needs { header, algorithm: \"sha256\", timestampHeader?, toleranceSec? }");
      signature = parsed.data;
    }
    return { type: "webhook", ...(maxBytes !== undefined ? { maxBytes } : {}), ...(signature ? { signature } : {}) };
  }
  if ("schedule" in t) {
    // Only the shape here: whether the cron parses and the zone exists is validateManifest's job.
    const s = t.schedule as { cron?: unknown; timezone?: unknown; timezoneFromConfig?: unknown; overlap?: unknown } | undefined;
    if (typeof s?.cron !== "string") throw invalid(`flows.${flowKey}.trigger.schedule.cron`, "must be a cron string");
    if (s.timezone !== undefined && typeof s.timezone !== "string")
      throw invalid(`flows.${flowKey}.trigger.schedule.timezone`, "must be an IANA time zone name");
    if (s.timezoneFromConfig !== undefined && typeof s.timezoneFromConfig !== "string")
      throw invalid(`flows.${flowKey}.trigger.schedule.timezoneFromConfig`, "must be the name of a config field");
    return {
      type: "schedule",
      cron: s.cron,
      ...(s.timezone !== undefined ? { timezone: s.timezone } : {}),
      ...(s.timezoneFromConfig !== undefined ? { timezoneFromConfig: s.timezoneFromConfig } : {}),
      ...(s.overlap !== undefined ? { overlap: overlapOf(flowKey, s.overlap) } : {}),
    };
  }
  if ("event" in t) {
    if (typeof t.event !== "string" || !t.event) throw invalid(`flows.${flowKey}.trigger.event`, "must be an event type");
    return { type: "event", event: t.event };
  }
  if ("manual" in t) return { type: "manual" };
  throw invalid(`flows.${flowKey}.trigger`, `unknown trigger "${kinds[0]}"`);
}

function overlapOf(flowKey: string, overlap: unknown): "skip" | "queue" {
  if (overlap === "skip" || overlap === "queue") return overlap;
  throw invalid(`flows.${flowKey}.trigger.schedule.overlap`, "must be \"skip\" or \"queue\"");
}

const ManifestSignature = z.object({
  header: z.string().min(1),
  algorithm: z.literal("sha256"),
  timestampHeader: z.string().min(1).optional(),
  toleranceSec: z.number().int().positive().optional(),
});

function convertible(schema: z.ZodType): boolean {
  try {
    z.toJSONSchema(schema, { io: "input" });
    return true;
  } catch {
    return false;
  }
}

/** The deepest config field z.toJSONSchema refuses (e.g. "config.sync.since" for a z.date()), so the message can name it. */
function unconvertibleField(schema: z.ZodType, path: string): string | null {
  let inner: z.ZodType = schema;
  // Look through optional/default/nullable wrappers to the object inside.
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault || inner instanceof z.ZodNullable)
    inner = (inner as z.ZodOptional<z.ZodType>).unwrap() as z.ZodType;
  if (inner instanceof z.ZodObject) {
    for (const [key, field] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      if (!convertible(field)) return unconvertibleField(field, `${path}.${key}`) ?? `${path}.${key}`;
    }
  }
  return convertible(schema) ? null : path;
}

/** The manifest of a loaded definition; throws BAD_INPUT naming the field that is wrong. */
export function extractManifest(def: AnyIntegration): Manifest {
  if (typeof def.key !== "string" || !KEY.test(def.key))
    throw invalid("key", "lowercase letters, digits and dashes, at most 63 characters");
  if (typeof def.name !== "string" || !def.name.trim()) throw invalid("name", "is required");
  if (!(def.config instanceof z.ZodObject)) throw invalid("config", "must be a z.object(...) from portico/sdk");

  let configSchema: Record<string, unknown>;
  try {
    configSchema = z.toJSONSchema(def.config, { io: "input" }) as Record<string, unknown>;
  } catch (err) {
    const field = unconvertibleField(def.config, "config") ?? "config";
    throw invalid(field, `cannot be turned into a form (JSON Schema): ${(err as Error).message}`);
  }

  const configForm = configFormFromDefinition(def);
  // The field metadata went into configForm; the JSON Schema keeps labels, types and defaults.
  for (const prop of Object.values((configSchema.properties ?? {}) as Record<string, Record<string, unknown>>))
    if (prop && typeof prop === "object") delete prop[CONFIG_FIELD_META];

  const connections: Manifest["connections"] = {};
  for (const [key, c] of Object.entries(def.connections ?? {})) {
    if (!FLOW_KEY.test(key)) throw invalid(`connections.${key}`, "key must be an identifier");
    if (!c || typeof c.app !== "string" || !c.app) throw invalid(`connections.${key}.app`, "is required");
    if (!["oauth2", "apiKey", "basic", "none"].includes(c.auth))
      throw invalid(`connections.${key}.auth`, "must be oauth2, apiKey, basic or none");
    connections[key] = { app: c.app, auth: c.auth, ...(c.description ? { description: c.description } : {}) };
  }

  const flowEntries = Object.entries(def.flows ?? {});
  if (flowEntries.length === 0) throw invalid("flows", "declare at least one flow");
  const flows: Manifest["flows"] = {};
  for (const [key, flow] of flowEntries) {
    if (!FLOW_KEY.test(key)) throw invalid(`flows.${key}`, "key must be an identifier");
    if (typeof flow?.run !== "function") throw invalid(`flows.${key}.run`, "must be a function");
    const attempts = flow.retry?.attempts ?? DEFAULT_RETRY.attempts;
    const maxDelayMs = flow.retry?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 50)
      throw invalid(`flows.${key}.retry.attempts`, "must be an integer from 1 to 50");
    if (!Number.isInteger(maxDelayMs) || maxDelayMs <= 0)
      throw invalid(`flows.${key}.retry.maxDelayMs`, "must be a positive integer");
    if (flow.orderingKey !== undefined && typeof flow.orderingKey !== "function")
      throw invalid(`flows.${key}.orderingKey`, "must be a function (payload) => key");
    const breaker = flow.breaker;
    if (breaker !== undefined) {
      if (breaker.failures !== undefined && (!Number.isInteger(breaker.failures) || breaker.failures < 1 || breaker.failures > 1000))
        throw invalid(`flows.${key}.breaker.failures`, "must be an integer from 1 to 1000");
      if (breaker.coolDownMs !== undefined && (!Number.isInteger(breaker.coolDownMs) || breaker.coolDownMs <= 0))
        throw invalid(`flows.${key}.breaker.coolDownMs`, "must be a positive integer");
    }
    flows[key] = {
      name: flow.name ?? key,
      ...(flow.description ? { description: flow.description } : {}),
      trigger: triggerOf(key, flow.trigger),
      retry: { attempts, maxDelayMs },
      ...(flow.orderingKey ? { ordered: true } : {}),
      ...(breaker ? { breaker: { ...(breaker.failures !== undefined ? { failures: breaker.failures } : {}), ...(breaker.coolDownMs !== undefined ? { coolDownMs: breaker.coolDownMs } : {}) } } : {}),
    };
  }

  return Manifest.parse({
    manifestVersion: 1,
    key: def.key,
    name: def.name,
    ...(def.description ? { description: def.description } : {}),
    ...(def.category ? { category: def.category } : {}),
    ...(def.icon ? { icon: def.icon } : {}),
    connections,
    flows,
    configSchema,
    configForm,
  });
}

/**
 * The wizard layout a definition declares: configPages (order, titles), each field's page and id
 * from configField(...) metadata, and configOptions loaders. Problems of the result as a whole
 * (duplicate ids, unknown dependsOn...) are validateManifest's; here only what cannot be expressed.
 */
function configFormFromDefinition(def: AnyIntegration): ConfigForm {
  const shape = def.config.shape as Record<string, z.ZodType>;
  const keys = Object.keys(shape);
  const declared = def.configPages;
  if (declared !== undefined && (!Array.isArray(declared) || declared.length === 0))
    throw invalid("configPages", "must be a non-empty list of { key, title, description? }");
  const pages: ConfigForm["pages"] = (declared ?? [DEFAULT_CONFIG_PAGE as ConfigPage]).map((p, i) => {
    if (!p || typeof p.key !== "string" || !p.key) throw invalid(`configPages.${i}.key`, "is required");
    if (typeof p.title !== "string" || !p.title.trim()) throw invalid(`configPages.${p.key}.title`, "is required");
    return { key: p.key, title: p.title, ...(p.description ? { description: p.description } : {}), fields: [] };
  });
  const fields: ConfigForm["fields"] = {};
  for (const key of keys) {
    const meta = configFieldOptions(shape[key]!);
    if (meta.id !== undefined && (typeof meta.id !== "string" || !meta.id.trim())) throw invalid(`config.${key}.id`, "must be a non-empty string");
    const page = meta.page === undefined ? pages[0]! : pages.find((p) => p.key === meta.page);
    if (!page) {
      const known = declared ? declared.map((p) => `"${p.key}"`).join(", ") : "none: declare configPages";
      throw invalid(`config.${key}.page`, `"${meta.page}" is not a page in configPages (pages: ${known})`);
    }
    page.fields.push(key);
    fields[key] = { id: meta.id ?? key };
  }
  for (const page of pages)
    if (declared && page.fields.length === 0) throw invalid(`configPages.${page.key}`, "has no fields (give fields this page with configField(schema, { page }))");
  for (const [key, loader] of Object.entries(def.configOptions ?? {})) {
    if (!loader) continue;
    const at = `configOptions.${key}`;
    if (typeof loader.load !== "function") throw invalid(`${at}.load`, "must be a function (ctx) => [{ value, label }]");
    if (typeof loader.connection !== "string" || !loader.connection) throw invalid(`${at}.connection`, "must name one of the integration's connections");
    if (loader.dependsOn !== undefined && (!Array.isArray(loader.dependsOn) || loader.dependsOn.some((d) => typeof d !== "string")))
      throw invalid(`${at}.dependsOn`, "must be a list of config field keys");
    // An unknown field key still gets its entry: validateManifest names it ("not a config field").
    fields[key] = { id: fields[key]?.id ?? key, options: { connection: loader.connection, dependsOn: [...(loader.dependsOn ?? [])] } };
  }
  return { pages, fields };
}
