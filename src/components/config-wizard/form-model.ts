// The wizard's view of an integration's config: the version's JSON Schema (z.toJSONSchema of the
// builder's zod config, input side) plus the optional page layout and dynamic-options declarations
// of the manifest's `configForm`. Pure, so the console and the embedded marketplace share it and
// tests cover it without a browser.

export type FieldKind = "text" | "number" | "integer" | "boolean" | "select" | "multiselect" | "json";

export interface FieldOption {
  value: string | number;
  label: string;
}

export interface FieldModel {
  key: string;
  /** Stable id across versions (manifest configForm); the key when the manifest has none. */
  id: string;
  label: string;
  description?: string;
  kind: FieldKind;
  required: boolean;
  /** null is an accepted value (zod .nullable()). */
  nullable: boolean;
  default?: unknown;
  /** Static choices (JSON Schema enum; for multiselect, the items' enum). */
  choices?: FieldOption[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  /** Choices fetched from the customer's connected account, re-fetched when a field in dependsOn changes. */
  options?: { connection: string; dependsOn: string[] };
}

export interface PageModel {
  key: string;
  title: string;
  description?: string;
  fields: string[];
}

export interface FormModel {
  pages: PageModel[];
  fields: Record<string, FieldModel>;
}

/** Manifest `configForm` (engine/bundle/manifest.ts); absent on versions published before it existed. */
export interface ConfigFormSpec {
  pages: Array<{ key: string; title: string; description?: string; fields: string[] }>;
  fields: Record<string, { id: string; options?: { connection: string; dependsOn: string[] } }>;
}

type JsonSchema = Record<string, unknown>;

const isObject = (v: unknown): v is JsonSchema => !!v && typeof v === "object" && !Array.isArray(v);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** "customerAccount" / "customer_account" → "Customer account". */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .replace(/[_\-.]+/g, " ")
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  if (words.length === 0) return key;
  return words
    .map((w, i) => (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : /^[A-Z0-9]+$/.test(w) ? w : w.toLowerCase()))
    .join(" ");
}

/** The non-null branch of `type: [x, "null"]` or `anyOf: [x, { type: "null" }]`, and whether null was allowed. */
function unwrapNullable(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== "null");
    const nullable = types.length !== schema.type.length;
    return { schema: { ...schema, type: types.length === 1 ? types[0] : types }, nullable };
  }
  const union = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(union)) {
    const rest = union.filter((s) => !(isObject(s) && s.type === "null"));
    if (rest.length === 1 && rest.length !== union.length && isObject(rest[0])) {
      const { anyOf: _a, oneOf: _o, ...outer } = schema;
      return { schema: { ...rest[0], ...outer }, nullable: true };
    }
  }
  return { schema, nullable: false };
}

/** enum, or a union of consts (z.union([z.literal(...)])): the static choices. */
function enumOf(schema: JsonSchema): Array<string | number> | undefined {
  const pick = (values: unknown[]) => values.filter((v): v is string | number => typeof v === "string" || typeof v === "number");
  if (Array.isArray(schema.enum)) return pick(schema.enum);
  if (schema.const !== undefined) return pick([schema.const]);
  const union = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(union) && union.length > 0 && union.every((s) => isObject(s) && s.const !== undefined))
    return pick(union.map((s) => (s as JsonSchema).const));
  return undefined;
}

function kindOf(schema: JsonSchema, hasDynamicOptions: boolean): { kind: FieldKind; choices?: Array<string | number> } {
  const choices = enumOf(schema);
  if (choices) return { kind: "select", choices };
  const type = schema.type;
  if (type === "array" && isObject(schema.items)) {
    const items = unwrapNullable(schema.items).schema;
    const itemChoices = enumOf(items);
    if (itemChoices) return { kind: "multiselect", choices: itemChoices };
    if (hasDynamicOptions && (items.type === "string" || items.type === "number" || items.type === "integer")) return { kind: "multiselect" };
    return { kind: "json" };
  }
  if (hasDynamicOptions && (type === "string" || type === "number" || type === "integer")) return { kind: "select" };
  if (type === "string") return { kind: "text" };
  if (type === "integer") return { kind: "integer" };
  if (type === "number") return { kind: "number" };
  if (type === "boolean") return { kind: "boolean" };
  return { kind: "json" };
}

function fieldOf(key: string, raw: JsonSchema, required: boolean, spec: ConfigFormSpec["fields"][string] | undefined): FieldModel {
  const { schema, nullable } = unwrapNullable(raw);
  const options = spec?.options;
  const { kind, choices } = kindOf(schema, !!options);
  const items = isObject(schema.items) ? unwrapNullable(schema.items).schema : undefined;
  const field: FieldModel = {
    key,
    id: spec?.id ?? key,
    label: typeof raw.title === "string" && raw.title.trim() ? raw.title : typeof schema.title === "string" && schema.title.trim() ? schema.title : humanize(key),
    kind,
    required,
    nullable,
  };
  const description = typeof raw.description === "string" ? raw.description : typeof schema.description === "string" ? schema.description : undefined;
  if (description) field.description = description;
  if ("default" in raw) field.default = raw.default;
  else if ("default" in schema) field.default = schema.default;
  if (choices) field.choices = choices.map((v) => ({ value: v, label: String(v) }));
  const numeric = kind === "multiselect" ? items ?? {} : schema;
  for (const k of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] as const) {
    const v = num(numeric[k]);
    if (v !== undefined && kind !== "multiselect") field[k] = v;
  }
  for (const k of ["minLength", "maxLength", "minItems", "maxItems"] as const) {
    const v = num(schema[k]);
    if (v !== undefined) field[k] = v;
  }
  if (typeof schema.pattern === "string" && kind === "text") field.pattern = schema.pattern;
  if (typeof schema.format === "string") field.format = schema.format;
  if (options) field.options = { connection: options.connection, dependsOn: [...options.dependsOn] };
  return field;
}

/**
 * Fields in schema order, grouped into the manifest's pages. Without a configForm (older
 * versions) everything is one page; fields a page list forgets still get shown, on the last page,
 * so a value the schema requires can always be entered.
 */
export function buildFormModel(configSchema: unknown, configForm?: ConfigFormSpec | null): FormModel {
  const root = isObject(configSchema) ? configSchema : {};
  const properties = isObject(root.properties) ? root.properties : {};
  const required = new Set(Array.isArray(root.required) ? root.required.filter((r): r is string => typeof r === "string") : []);
  const fields: Record<string, FieldModel> = {};
  for (const [key, raw] of Object.entries(properties)) {
    if (!isObject(raw)) continue;
    fields[key] = fieldOf(key, raw, required.has(key), configForm?.fields?.[key]);
  }

  const placed = new Set<string>();
  const pages: PageModel[] = [];
  for (const p of configForm?.pages ?? []) {
    const own = p.fields.filter((f) => f in fields && !placed.has(f));
    own.forEach((f) => placed.add(f));
    if (own.length === 0) continue;
    pages.push({ key: p.key, title: p.title, ...(p.description ? { description: p.description } : {}), fields: own });
  }
  const rest = Object.keys(fields).filter((f) => !placed.has(f));
  if (rest.length) {
    const last = pages.at(-1);
    if (last) last.fields.push(...rest);
    else pages.push({ key: "settings", title: "Settings", fields: rest });
  }
  return { pages, fields };
}

/** The page a field is on (for jumping to a server error). */
export function pageOfField(model: FormModel, key: string): number {
  const i = model.pages.findIndex((p) => p.fields.includes(key));
  return i === -1 ? 0 : i;
}

/**
 * Form state from a saved config (editing) or defaults (new): every value as the control holds
 * it — numbers as text, so "1." can be typed; json as pretty text.
 */
export type FormValues = Record<string, unknown>;

export function initialValues(model: FormModel, saved?: Record<string, unknown> | null): FormValues {
  const values: FormValues = {};
  for (const field of Object.values(model.fields)) {
    const source = saved && field.key in saved ? saved[field.key] : field.default;
    values[field.key] = toControlValue(field, source);
  }
  return values;
}

function toControlValue(field: FieldModel, value: unknown): unknown {
  switch (field.kind) {
    case "boolean":
      return value === true;
    case "multiselect":
      return Array.isArray(value) ? value.filter((v) => typeof v === "string" || typeof v === "number") : [];
    case "number":
    case "integer":
      return typeof value === "number" ? String(value) : "";
    case "select":
      return value === undefined || value === null ? "" : String(value);
    case "json":
      return value === undefined ? "" : JSON.stringify(value, null, 2);
    default:
      return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  }
}
