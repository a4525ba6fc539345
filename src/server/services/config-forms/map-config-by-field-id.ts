import { configFormOf, type ConfigForm } from "@/engine/bundle/manifest";
import type { Db } from "@/lib/db";
import { parseStoredManifest } from "./get-config-form";

/**
 * An instance's config with each value moved to the key its field has in the target version,
 * matched by stable field id (configField(schema, { id })): a field renamed from `warehouse` to
 * `warehouseCode` but keeping its id keeps the customer's value. Runs before the target's
 * `migrate`, which therefore sees the new keys. Values of fields whose id the target no longer
 * has stay under their old key (for migrate to use); such a value is dropped only when the
 * target reuses that key for a different field. Keys that were no field at all pass through.
 */
export function mapConfigByFieldId(config: Record<string, unknown>, from: ConfigForm, to: ConfigForm): Record<string, unknown> {
  const toKeyOfId = new Map(Object.entries(to.fields).map(([key, f]) => [f.id, key]));
  const toIdOfKey = new Map(Object.entries(to.fields).map(([key, f]) => [key, f.id]));
  const out: Record<string, unknown> = {};
  // Non-fields first, so a moved field value wins over a stray key of the same name.
  for (const [key, value] of Object.entries(config)) if (!(key in from.fields)) out[key] = value;
  for (const [key, field] of Object.entries(from.fields)) {
    if (!(key in config)) continue;
    const target = toKeyOfId.get(field.id);
    if (target !== undefined) out[target] = config[key];
    else if (!toIdOfKey.has(key)) out[key] = config[key];
    // else: the key now names another field (another id); the old value is not that field's.
  }
  return out;
}

const forms = new Map<string, ConfigForm>();

/** A version's config form (versions are immutable, so it is read once per process). */
export async function configFormOfVersion(db: Db, versionId: string): Promise<ConfigForm> {
  const hit = forms.get(versionId);
  if (hit) return hit;
  const row = await db.integrationVersion.findUniqueOrThrow({ where: { id: versionId }, select: { manifest: true } });
  const form = configFormOf(parseStoredManifest(row.manifest));
  if (forms.size >= 500) forms.delete(forms.keys().next().value!);
  forms.set(versionId, form);
  return form;
}
