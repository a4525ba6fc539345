import { CronExpressionParser } from "cron-parser";
import { AppError } from "@/lib/errors";
import { configFieldKeys, FLOW_KEY, Manifest } from "./manifest";

// One validator for a version's manifest, run by buildBundle (the CLI, before uploading) and by
// the publish endpoint (the server, on what was uploaded: it trusts nothing the CLI checked).
// Every problem names the file and the field: `integrations/x/index.ts: flows.sync.trigger.
// schedule.cron: "61 * * * *" is not a valid cron expression`.

/** A published bundle must stay small enough to keep in every worker's memory. */
export const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;

export interface ManifestProblem {
  /** Dotted path in the manifest / definition, e.g. "flows.sync.trigger.schedule.cron". */
  field: string;
  reason: string;
}

export interface ValidateManifestOptions {
  /** Shown in front of every message: the entry file (CLI) or "manifest" (server). */
  file?: string;
  /** Keys of the organization's Apps; when given, connections must use one of them. */
  knownApps?: Iterable<string>;
  /** Size of the bundle's code in bytes, checked against MAX_BUNDLE_BYTES. */
  bundleBytes?: number;
  maxBundleBytes?: number;
}

export function isValidTimeZone(zone: string): boolean {
  if (!zone.trim()) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function cronProblem(cron: string, timezone: string | undefined): string | null {
  if (!cron.trim()) return "is empty";
  try {
    CronExpressionParser.parse(cron, timezone ? { tz: timezone } : {});
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

type JsonSchema = { type?: unknown; properties?: Record<string, JsonSchema>; enum?: unknown[]; default?: unknown };

/** The problems of a manifest, all of them (empty = valid). */
export function manifestProblems(input: unknown, opts: ValidateManifestOptions = {}): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const add = (field: string, reason: string) => problems.push({ field, reason });

  const limit = opts.maxBundleBytes ?? MAX_BUNDLE_BYTES;
  if (opts.bundleBytes !== undefined && opts.bundleBytes > limit) add("bundle", tooLargeReason(opts.bundleBytes, limit));

  const parsed = Manifest.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.map(String).join(".") || "manifest";
      add(field, field === "key" && issue.code === "invalid_format" ? "must be lowercase letters, digits and dashes, at most 63 characters" : issue.message);
    }
    return problems;
  }
  const m = parsed.data;

  const config = m.configSchema as JsonSchema;
  const configFields = config.type === "object" && config.properties && typeof config.properties === "object" ? config.properties : null;
  if (!configFields) add("config", "must be an object schema (z.object(...)) whose JSON Schema has properties");

  if (m.configForm && configFields) configFormProblems(m, add);

  for (const key of Object.keys(m.connections)) {
    if (!FLOW_KEY.test(key)) add(`connections.${key}`, `key "${key}" must be an identifier (a letter, then letters, digits, _ or -)`);
  }
  if (opts.knownApps !== undefined) {
    const known = new Set(opts.knownApps);
    for (const [key, c] of Object.entries(m.connections)) {
      if (!known.has(c.app)) {
        const list = known.size ? [...known].sort().join(", ") : "none set up yet";
        add(`connections.${key}.app`, `unknown app "${c.app}" (apps in this organization: ${list})`);
      }
    }
  }

  const flowKeys = Object.keys(m.flows);
  if (flowKeys.length === 0) add("flows", "declare at least one flow");
  // Keys differing only in case are unique to JavaScript but not to the people reading the
  // console, URLs and logs: refuse them as duplicates.
  const seen = new Map<string, string>();
  for (const key of flowKeys) {
    if (!FLOW_KEY.test(key)) add(`flows.${key}`, `key "${key}" must be an identifier (a letter, then letters, digits, _ or -)`);
    const folded = key.toLowerCase();
    const other = seen.get(folded);
    if (other !== undefined) add(`flows.${key}`, `duplicate flow key: "${key}" and "${other}" differ only in case`);
    else seen.set(folded, key);
  }

  for (const [key, flow] of Object.entries(m.flows)) {
    const t = flow.trigger;
    if (t.type !== "schedule") continue;
    const at = `flows.${key}.trigger.schedule`;
    const zoneOk = t.timezone === undefined || isValidTimeZone(t.timezone);
    if (!zoneOk) add(`${at}.timezone`, `"${t.timezone}" is not an IANA time zone (e.g. "Europe/Berlin", "UTC")`);
    const problem = cronProblem(t.cron, zoneOk ? t.timezone : undefined);
    if (problem) add(`${at}.cron`, `"${t.cron}" is not a valid cron expression (${problem})`);
    if (t.timezoneFromConfig !== undefined && configFields) {
      const field = configFields[t.timezoneFromConfig];
      if (!field) add(`${at}.timezoneFromConfig`, `"${t.timezoneFromConfig}" is not a config field`);
      else {
        if (field.type !== "string") add(`${at}.timezoneFromConfig`, `config field "${t.timezoneFromConfig}" must be a string`);
        for (const zone of [...(Array.isArray(field.enum) ? field.enum : []), ...(field.default === undefined ? [] : [field.default])]) {
          if (typeof zone !== "string" || !isValidTimeZone(zone))
            add(`config.${t.timezoneFromConfig}`, `${JSON.stringify(zone)} is not an IANA time zone`);
        }
      }
    }
  }
  return problems;
}

/** The wizard layout against the config and the connections: every field on one page, ids unique, options loadable. */
function configFormProblems(m: Manifest, add: (field: string, reason: string) => void): void {
  const form = m.configForm!;
  const keys = configFieldKeys(m.configSchema);
  const isField = new Set(keys);
  const pageOf = new Map<string, string>();
  const pageKeys = new Set<string>();
  for (const page of form.pages) {
    const at = `configForm.pages.${page.key}`;
    if (pageKeys.has(page.key)) add(at, `duplicate page key "${page.key}"`);
    pageKeys.add(page.key);
    for (const field of page.fields) {
      if (!isField.has(field)) add(`${at}.fields`, `"${field}" is not a config field`);
      else if (pageOf.has(field)) add(`config.${field}`, `is on two pages: "${pageOf.get(field)}" and "${page.key}"`);
      else pageOf.set(field, page.key);
    }
  }
  for (const key of keys) if (!pageOf.has(key)) add(`config.${key}`, "is on no page of the config form");

  const byId = new Map<string, string>();
  for (const [key, field] of Object.entries(form.fields)) {
    if (!isField.has(key)) {
      add(`configForm.fields.${key}`, `"${key}" is not a config field`);
      continue;
    }
    const other = byId.get(field.id);
    if (other !== undefined) add(`config.${key}.id`, `duplicate field id "${field.id}" (also the id of "${other}")`);
    else byId.set(field.id, key);
    if (!field.options) continue;
    const at = `configOptions.${key}`;
    if (!(field.options.connection in m.connections))
      add(`${at}.connection`, `"${field.options.connection}" is not a declared connection (connections: ${Object.keys(m.connections).join(", ") || "none"})`);
    for (const dep of field.options.dependsOn) {
      if (dep === key) add(`${at}.dependsOn`, `a field cannot depend on itself ("${key}")`);
      else if (!isField.has(dep)) add(`${at}.dependsOn`, `"${dep}" is not a config field`);
    }
  }
  for (const key of keys) if (!form.fields[key]) add(`configForm.fields.${key}`, "is missing (every config field needs its id)");
}

function tooLargeReason(bytes: number, limit: number): string {
  return `is ${bytes} bytes, over the ${limit} byte limit (${Math.round(limit / 1024 / 1024)} MiB)`;
}

/** PAYLOAD_TOO_LARGE naming the file (null: an upload, no file), for a bundle over the limit. */
export function bundleTooLarge(file: string | null, bytes: number, limit = MAX_BUNDLE_BYTES): AppError {
  const reason = tooLargeReason(bytes, limit);
  return new AppError("PAYLOAD_TOO_LARGE", `${file ? `${file}: ` : ""}bundle: ${reason}`, { file, field: "bundle", reason, bytes, limit });
}

/**
 * The manifest, parsed, or BAD_INPUT (PAYLOAD_TOO_LARGE for an oversized bundle) whose message
 * is "<file>: <field>: <reason>" for the first problem; details.problems lists them all.
 */
export function validateManifest(input: unknown, opts: ValidateManifestOptions = {}): Manifest {
  const problems = manifestProblems(input, opts);
  if (problems.length === 0) return Manifest.parse(input);
  const file = opts.file ?? "manifest";
  const line = (p: ManifestProblem) => `${file}: ${p.field}: ${p.reason}`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""}: see details.problems)` : "";
  const first = problems[0]!;
  throw new AppError(first.field === "bundle" ? "PAYLOAD_TOO_LARGE" : "BAD_INPUT", `${line(first)}${more}`, {
    file,
    field: first.field,
    reason: first.reason,
    problems: problems.map((p) => ({ ...p, message: line(p) })),
  });
}
