import { sha256Hex } from "@/engine/bundle/load-bundle";
import { bundleTooLarge, MAX_BUNDLE_BYTES, validateManifest } from "@/engine/bundle/validate-manifest";
import { AppError } from "@/lib/errors";
import { inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { publishVersion } from "./publish-version";

export interface UploadedBundle {
  code: string;
  sha256: string;
  manifest: Record<string, unknown>;
  changelog?: string | undefined;
}

/**
 * The one publish path: the REST endpoint (what `portico publish` calls) and the demo seed both
 * come through here, so an uploaded manifest is always re-validated server-side.
 * Nothing is written until every check passed: a refused upload stores nothing.
 */
export async function publishUploadedBundle(scope: OrgScope, key: string, body: UploadedBundle) {
  const bytes = Buffer.byteLength(body.code);
  if (bytes > MAX_BUNDLE_BYTES) throw bundleTooLarge(null, bytes);
  const actual = sha256Hex(body.code);
  if (actual !== body.sha256)
    throw new AppError("BAD_INPUT", `sha256: ${body.sha256} is not the sha256 of the uploaded code (${actual}); the upload was changed or cut short`, {
      field: "sha256",
      expected: actual,
      given: body.sha256,
    });
  if (body.manifest.key !== key)
    throw new AppError("BAD_INPUT", `manifest: key: "${String(body.manifest.key)}" does not match the integration in the URL ("${key}")`, {
      field: "key",
    });
  const apps = await scope.db.app.findMany({ where: inOrg(scope), select: { key: true } });
  const manifest = validateManifest(body.manifest, { file: "manifest", knownApps: apps.map((a) => a.key), bundleBytes: bytes });
  return publishVersion(scope, {
    bundle: { code: body.code, sha256: actual, manifest },
    ...(body.changelog !== undefined ? { changelog: body.changelog } : {}),
  });
}
