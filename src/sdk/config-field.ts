import { z } from "zod";
import type { ConfigFieldOptions } from "./types";

// A config field's wizard facts (stable id, page, label) live in the zod schema's own metadata,
// so the schema stays the one source of truth: the manifest reads them back from there.
// Not under the key `id`: z.toJSONSchema treats meta.id as a schema id and moves the field
// into $defs.

/** Metadata key; extractManifest moves it out of the JSON Schema into configForm. */
export const CONFIG_FIELD_META = "x-portico";

/**
 * Marks a config field with a stable id, the wizard page it is shown on and its label:
 * `warehouse: configField(z.string().describe("Warehouse the ERP ships from"), { id: "warehouse", page: "erp", title: "Warehouse" })`.
 * Returns the same kind of schema, so `.default()`, `.optional()` and the config's types work as before.
 */
export function configField<T extends z.ZodType>(schema: T, options: ConfigFieldOptions): T {
  const { title, ...field } = options;
  return schema.meta({ ...(title !== undefined ? { title } : {}), [CONFIG_FIELD_META]: field }) as T;
}

/** Looks through .default()/.optional()/.nullable() etc. to the schema the metadata was put on. */
export function configFieldOptions(schema: z.ZodType): ConfigFieldOptions {
  let s: z.ZodType | undefined = schema;
  for (let depth = 0; s && depth < 10; depth++) {
    const meta = z.globalRegistry.get(s) as Record<string, unknown> | undefined;
    const field = meta?.[CONFIG_FIELD_META];
    if (field && typeof field === "object") {
      const title = typeof meta?.title === "string" ? { title: meta.title } : {};
      return { ...(field as ConfigFieldOptions), ...title };
    }
    const def: { innerType?: z.ZodType; in?: z.ZodType } = (s as unknown as { _zod: { def: { innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
    s = def.innerType ?? def.in;
  }
  return {};
}
