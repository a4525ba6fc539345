import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import type { AnyIntegration } from "@/sdk";

// The manifest is the JSON a version carries beside its code: what the console, the wizard and
// the engine need to know without evaluating the bundle.

const KEY = /^[a-z0-9][a-z0-9-]{0,62}$/;
const FLOW_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

export const ManifestTrigger = z.union([
  z.object({ type: z.literal("webhook"), maxBytes: z.number().int().positive().optional() }),
  z.object({ type: z.literal("schedule"), cron: z.string(), timezone: z.string().optional() }),
  z.object({ type: z.literal("event"), event: z.string().min(1) }),
  z.object({ type: z.literal("manual") }),
]);
export type ManifestTrigger = z.infer<typeof ManifestTrigger>;

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
    }),
  ),
  /** JSON Schema (draft 2020-12) of the config, input side: fields with defaults are optional. */
  configSchema: z.record(z.string(), z.unknown()),
});
export type Manifest = z.infer<typeof Manifest>;

export const DEFAULT_RETRY = { attempts: 3, maxDelayMs: 5 * 60_000 } as const;

function invalid(field: string, message: string): AppError {
  return new AppError("BAD_INPUT", `manifest: ${field}: ${message}`, { field });
}

function triggerOf(flowKey: string, trigger: unknown): ManifestTrigger {
  const t = (trigger ?? {}) as Record<string, unknown>;
  const kinds = Object.keys(t);
  if (kinds.length !== 1) throw invalid(`flows.${flowKey}.trigger`, "needs exactly one of webhook, schedule, event, manual");
  if ("webhook" in t) {
    const maxBytes = (t.webhook as { maxBytes?: unknown } | undefined)?.maxBytes;
    if (maxBytes !== undefined && (typeof maxBytes !== "number" || !Number.isInteger(maxBytes) || maxBytes <= 0))
      throw invalid(`flows.${flowKey}.trigger.webhook.maxBytes`, "must be a positive integer");
    return maxBytes === undefined ? { type: "webhook" } : { type: "webhook", maxBytes };
  }
  if ("schedule" in t) {
    const s = t.schedule as { cron?: unknown; timezone?: unknown } | undefined;
    if (typeof s?.cron !== "string") throw invalid(`flows.${flowKey}.trigger.schedule.cron`, "must be a cron string");
    const timezone = typeof s.timezone === "string" ? s.timezone : undefined;
    try {
      CronExpressionParser.parse(s.cron, timezone ? { tz: timezone } : {});
    } catch (err) {
      throw invalid(`flows.${flowKey}.trigger.schedule`, `invalid cron "${s.cron}": ${(err as Error).message}`);
    }
    return timezone ? { type: "schedule", cron: s.cron, timezone } : { type: "schedule", cron: s.cron };
  }
  if ("event" in t) {
    if (typeof t.event !== "string" || !t.event) throw invalid(`flows.${flowKey}.trigger.event`, "must be an event type");
    return { type: "event", event: t.event };
  }
  if ("manual" in t) return { type: "manual" };
  throw invalid(`flows.${flowKey}.trigger`, `unknown trigger "${kinds[0]}"`);
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
    throw invalid("config", `cannot be turned into a form (JSON Schema): ${(err as Error).message}`);
  }

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
    flows[key] = {
      name: flow.name ?? key,
      ...(flow.description ? { description: flow.description } : {}),
      trigger: triggerOf(key, flow.trigger),
      retry: { attempts, maxDelayMs },
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
  });
}
