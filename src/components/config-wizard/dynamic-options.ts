import type { FieldModel, FieldOption, FormModel, FormValues } from "./form-model";

// Fields whose choices come from the customer's connected account ("which warehouse"): fetched
// once their connection is chosen and the fields they depend on hold a value, fetched again
// when one of those changes. A value the new list no longer offers is cleared rather than sent.

/**
 * Required dependencies still blank: the fetch waits for them (the UI says "fill in X first").
 * A blank optional one is a value like any other ("any region") and is sent as such.
 */
export function missingDependencies(model: FormModel, field: FieldModel, values: FormValues): string[] {
  return (field.options?.dependsOn ?? []).filter((dep) => {
    if (!model.fields[dep]?.required) return false;
    const v = values[dep];
    return v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
  }).map((dep) => model.fields[dep]?.label ?? dep);
}

/**
 * What a fetch of this field's options depends on, as one string: the chosen connection and the
 * values of its dependsOn fields. A new key means the loaded list is stale.
 */
export function optionsRequestKey(field: FieldModel, values: FormValues, connections: Record<string, string | undefined>): string | null {
  if (!field.options) return null;
  const connectionId = connections[field.options.connection];
  if (!connectionId) return null;
  return JSON.stringify([connectionId, ...field.options.dependsOn.map((d) => values[d] ?? null)]);
}

/** Fields that must be re-fetched when `changed` changes (direct dependents only: their own change cascades). */
export function dependentsOf(model: FormModel, changed: string): string[] {
  return Object.values(model.fields)
    .filter((f) => f.options?.dependsOn.includes(changed))
    .map((f) => f.key);
}

/** The control value with anything the freshly loaded options do not offer removed. */
export function pruneUnoffered(field: FieldModel, value: unknown, options: FieldOption[]): unknown {
  const offered = new Set(options.map((o) => String(o.value)));
  if (field.kind === "multiselect") return Array.isArray(value) ? value.filter((v) => offered.has(String(v))) : [];
  if (typeof value === "string" && value !== "" && !offered.has(value)) return "";
  return value;
}
