import type { FieldModel, FieldOption, FormModel, FormValues } from "./form-model";

// Client-side checks mirror what the JSON Schema says, so most mistakes are caught on the page
// where they were made; the server still validates with the version's own zod schema and its
// answer is mapped back onto the fields (server-errors.ts).

/** Options fetched for dynamic fields, by field key. */
export type LoadedOptions = Record<string, FieldOption[] | undefined>;

const isBlank = (v: unknown) => v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);

function choicesOf(field: FieldModel, loaded: LoadedOptions): FieldOption[] | undefined {
  return field.options ? loaded[field.key] : field.choices;
}

/** One field's message, or null when its value is acceptable. */
export function validateField(field: FieldModel, value: unknown, loaded: LoadedOptions = {}): string | null {
  if (field.kind === "boolean") return null; // an unticked box is a value (false)
  if (isBlank(value)) {
    if (field.kind === "multiselect")
      return field.minItems && field.minItems > 0 ? `Choose at least ${field.minItems}.` : field.required ? "Choose at least one." : null;
    // A blank dynamic field falls back to its default, which the account may not offer (the
    // region changed): then the customer has to choose.
    const offered = field.options ? loaded[field.key] : undefined;
    if (offered && field.default !== undefined && !offered.some((c) => String(c.value) === String(field.default))) return "Choose one.";
    return field.required && !field.nullable ? (field.kind === "select" ? "Choose one." : "Required.") : null;
  }
  switch (field.kind) {
    case "text": {
      const s = String(value);
      if (field.minLength !== undefined && s.length < field.minLength) return `At least ${field.minLength} characters.`;
      if (field.maxLength !== undefined && s.length > field.maxLength) return `At most ${field.maxLength} characters.`;
      if (field.format === "email" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)) return "Enter an email address.";
      if ((field.format === "uri" || field.format === "url") && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(s)) return "Enter a full URL (https://…).";
      if (field.pattern) {
        try {
          if (!new RegExp(field.pattern, "u").test(s)) return "Not in the expected format.";
        } catch {
          // A pattern the browser's engine cannot read is left to the server.
        }
      }
      return null;
    }
    case "number":
    case "integer": {
      const s = String(value).trim();
      const n = Number(s);
      if (s === "" || !Number.isFinite(n)) return "Enter a number.";
      if (field.kind === "integer" && !Number.isInteger(n)) return "Enter a whole number.";
      if (field.minimum !== undefined && n < field.minimum) return `At least ${field.minimum}.`;
      if (field.maximum !== undefined && n > field.maximum) return `At most ${field.maximum}.`;
      if (field.exclusiveMinimum !== undefined && n <= field.exclusiveMinimum) return `More than ${field.exclusiveMinimum}.`;
      if (field.exclusiveMaximum !== undefined && n >= field.exclusiveMaximum) return `Less than ${field.exclusiveMaximum}.`;
      return null;
    }
    case "select": {
      const choices = choicesOf(field, loaded);
      if (choices && !choices.some((c) => String(c.value) === String(value))) return "Choose one of the options.";
      return null;
    }
    case "multiselect": {
      const list = Array.isArray(value) ? value : [];
      if (field.minItems !== undefined && list.length < field.minItems) return `Choose at least ${field.minItems}.`;
      if (field.maxItems !== undefined && list.length > field.maxItems) return `Choose at most ${field.maxItems}.`;
      return null;
    }
    case "json":
      try {
        JSON.parse(String(value));
        return null;
      } catch {
        return "Not valid JSON.";
      }
    default:
      return null;
  }
}

/** Messages for the fields of one page (empty when it may be left). */
export function validatePage(model: FormModel, pageIndex: number, values: FormValues, loaded: LoadedOptions = {}): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const key of model.pages[pageIndex]?.fields ?? []) {
    const field = model.fields[key];
    if (!field) continue;
    const message = validateField(field, values[key], loaded);
    if (message) errors[key] = message;
  }
  return errors;
}

/** The first page (and its errors) that does not pass, or null when every page does. */
export function firstInvalidPage(model: FormModel, values: FormValues, loaded: LoadedOptions = {}): { page: number; errors: Record<string, string> } | null {
  for (let page = 0; page < model.pages.length; page++) {
    const errors = validatePage(model, page, values, loaded);
    if (Object.keys(errors).length) return { page, errors };
  }
  return null;
}

/** A select's text back to the option's own value (a warehouse id may be a number). */
function choiceValue(field: FieldModel, text: string, loaded: LoadedOptions): string | number {
  const hit = choicesOf(field, loaded)?.find((c) => String(c.value) === text);
  return hit ? hit.value : text;
}

/**
 * Control values → the config sent to the server. Blank optional fields are left out so the
 * schema's default applies (a blank that was cleared on purpose falls back to the default too).
 */
export function toConfig(model: FormModel, values: FormValues, loaded: LoadedOptions = {}): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const field of Object.values(model.fields)) {
    const v = values[field.key];
    switch (field.kind) {
      case "boolean":
        config[field.key] = v === true;
        break;
      case "multiselect":
        if (Array.isArray(v)) config[field.key] = v.map((x) => choiceValue(field, String(x), loaded));
        break;
      case "number":
      case "integer":
        if (typeof v === "string" && v.trim() !== "") config[field.key] = Number(v);
        else if (field.nullable && field.required) config[field.key] = null;
        break;
      case "select":
        if (typeof v === "string" && v !== "") config[field.key] = choiceValue(field, v, loaded);
        else if (field.nullable && field.required) config[field.key] = null;
        break;
      case "json":
        if (typeof v === "string" && v.trim() !== "")
          try {
            config[field.key] = JSON.parse(v);
          } catch {
            config[field.key] = v; // the server names the error
          }
        break;
      default:
        if (typeof v === "string" && v !== "") config[field.key] = v;
        else if (field.nullable && field.required) config[field.key] = null;
    }
  }
  return config;
}

/** How a value reads on the review page. */
export function displayValue(field: FieldModel, value: unknown, loaded: LoadedOptions = {}): string {
  const labelOf = (text: string) => (field.options ? loaded[field.key] : field.choices)?.find((c) => String(c.value) === text)?.label ?? text;
  switch (field.kind) {
    case "boolean":
      return value === true ? "Yes" : "No";
    case "multiselect":
      return Array.isArray(value) && value.length ? value.map((v) => labelOf(String(v))).join(", ") : "None";
    case "select":
      return typeof value === "string" && value !== "" ? labelOf(value) : field.default !== undefined ? `Default (${labelOf(String(field.default))})` : "Not set";
    default:
      return typeof value === "string" && value.trim() !== "" ? value : field.default !== undefined ? `Default (${JSON.stringify(field.default)})` : "Not set";
  }
}
