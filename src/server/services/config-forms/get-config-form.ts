import { configFormOf, Manifest, type ConfigForm } from "@/engine/bundle/manifest";
import { AppError, notFound } from "@/lib/errors";
import { inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";

export interface ConfigFormView {
  /** JSON Schema (input side) of the config: types, labels (title), descriptions, defaults, enums. */
  configSchema: Record<string, unknown>;
  /** Pages, field ids and which fields load their options (default layout for older versions). */
  configForm: ConfigForm;
  /** The connections the customer must bind, by key. */
  connections: Manifest["connections"];
}

/** The manifest of a version as stored, parsed (a version's manifest was validated at publish). */
export function parseStoredManifest(manifest: unknown): Manifest {
  const parsed = Manifest.safeParse(manifest);
  if (!parsed.success) throw new AppError("INTERNAL", "the version's stored manifest is not readable");
  return parsed.data;
}

/** What the config wizard needs to render a version's settings form. */
export async function getConfigForm(scope: OrgScope, input: { versionId: string }): Promise<ConfigFormView> {
  // Not getOwnedVersion: that reads the bundle (up to 5 MiB) too; the form needs the manifest only.
  const version = await scope.db.integrationVersion.findFirst({ where: { id: input.versionId, ...inOrg(scope) }, select: { manifest: true } });
  if (!version) throw notFound("version");
  const manifest = parseStoredManifest(version.manifest);
  return { configSchema: manifest.configSchema, configForm: configFormOf(manifest), connections: manifest.connections };
}
