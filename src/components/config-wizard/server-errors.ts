import type { FormModel } from "./form-model";

// The server answers a config its schema refuses with BAD_INPUT and `details.issues`
// ([{ path: "warehouse", message }], from deployInstance / updateInstanceConfig) or, for input
// that failed the procedure's own parser, `data.issues` ([{ path: ["config", "warehouse"], … }]).
// Both land on the field they name; anything that names no field stays a form-level message.

export interface MappedServerError {
  fieldErrors: Record<string, string>;
  /** Shown above the buttons when no field could carry it. */
  formError: string | null;
}

type Issue = { path?: unknown; message?: unknown };

function pathOf(issue: Issue): string[] {
  if (Array.isArray(issue.path)) return issue.path.map(String);
  if (typeof issue.path === "string") return issue.path.split(".").filter(Boolean);
  return [];
}

export function mapServerError(model: FormModel, error: { message: string; details?: unknown; issues?: unknown }): MappedServerError {
  const details = (error.details ?? {}) as { issues?: unknown; field?: unknown };
  const issues: Issue[] = [
    ...(Array.isArray(details.issues) ? (details.issues as Issue[]) : []),
    ...(Array.isArray(error.issues) ? (error.issues as Issue[]) : []),
  ];
  if (typeof details.field === "string") issues.push({ path: details.field, message: error.message });

  const fieldErrors: Record<string, string> = {};
  const unplaced: string[] = [];
  for (const issue of issues) {
    const path = pathOf(issue);
    const key = path[0] === "config" ? path[1] : path[0];
    const message = typeof issue.message === "string" ? issue.message : "Invalid value.";
    if (key && key in model.fields) fieldErrors[key] ??= message;
    else unplaced.push(path.length ? `${path.join(".")}: ${message}` : message);
  }
  const extra = unplaced.filter((m) => !m.endsWith(`: ${error.message}`) && m !== error.message);
  const formError = Object.keys(fieldErrors).length === 0 ? [error.message, ...extra].join("; ") : extra.length ? extra.join("; ") : null;
  return { fieldErrors, formError };
}
