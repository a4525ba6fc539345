import path from "node:path";
import { build, type Message } from "esbuild";
import { AppError } from "@/lib/errors";
import { evaluateBundle, sha256Hex } from "./load-bundle";
import { extractManifest, type Manifest } from "./manifest";
import { bundleTooLarge, MAX_BUNDLE_BYTES, validateManifest } from "./validate-manifest";

export { MAX_BUNDLE_BYTES } from "./validate-manifest";

export interface BuiltBundle {
  code: string;
  sha256: string;
  manifest: Manifest;
}

const where = (m: Message, fallback: string) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}` : fallback);

/**
 * A duplicate key in an object literal is legal JavaScript (the last one silently wins), so a
 * copy-pasted flow would vanish without a word: esbuild warns, and we refuse. A duplicate
 * flow (or connection) key is named as the manifest field it is.
 */
function duplicateKeyError(warnings: Message[], entryFile: string, manifest: Manifest | null): AppError | null {
  const dup = warnings.find((w) => w.id === "duplicate-object-key" && !w.location?.file.includes("node_modules"));
  if (!dup) return null;
  const key = /"([^"]+)"/.exec(dup.text)?.[1] ?? "?";
  const field = manifest?.flows[key] ? `flows.${key}` : manifest?.connections[key] ? `connections.${key}` : null;
  const original = dup.notes[0]?.location ? ` (first defined at line ${dup.notes[0].location.line})` : "";
  const reason = field
    ? `duplicate ${field.startsWith("flows") ? "flow" : "connection"} key "${key}"${original}: the later one silently replaces the first`
    : `duplicate key "${key}" in an object literal${original}: the later one silently replaces the first`;
  return new AppError("BAD_INPUT", `${entryFile}: ${field ?? where(dup, entryFile)}: ${reason}`, {
    file: entryFile,
    field: field ?? null,
    reason,
    line: dup.location?.line ?? null,
  });
}

/**
 * Bundles an integration's entry file into one CommonJS file (zod and portico/sdk stay
 * external: the host provides them), evaluates it once to extract the manifest and validates
 * that (validate-manifest.ts). Throws BAD_INPUT (PAYLOAD_TOO_LARGE over the size limit)
 * naming the file and the field.
 */
export async function buildBundle(entryFile: string): Promise<BuiltBundle> {
  const entry = path.resolve(entryFile);
  let code: string;
  let warnings: Message[];
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: "node",
      format: "cjs",
      target: "node20",
      external: ["zod", "zod/*", "portico/sdk"],
      // The same bytes for the same source, so re-publishing unchanged code is a no-op.
      legalComments: "none",
      sourcemap: false,
      logLevel: "silent",
      charset: "utf8",
      // Paths in the output (esbuild comments) are relative to this: same sha256 from any checkout.
      absWorkingDir: path.dirname(entry),
    });
    code = result.outputFiles[0]?.text ?? "";
    warnings = result.warnings;
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors;
    const first = errors?.[0];
    throw new AppError("BAD_INPUT", `${first ? where(first, entryFile) : entryFile}: ${first?.text ?? (err as Error).message}`, { file: entryFile });
  }

  const bytes = Buffer.byteLength(code);
  if (bytes > MAX_BUNDLE_BYTES) throw bundleTooLarge(entryFile, bytes);

  let manifest: Manifest;
  try {
    manifest = extractManifest(evaluateBundle(code, entry));
  } catch (err) {
    const dup = duplicateKeyError(warnings, entryFile, null);
    if (dup) throw dup;
    if (err instanceof AppError) throw new AppError(err.code, `${entryFile}: ${err.message}`, { ...err.details, file: entryFile });
    throw new AppError("BAD_INPUT", `${entryFile}: ${(err as Error).message}`, { file: entryFile });
  }
  const dup = duplicateKeyError(warnings, entryFile, manifest);
  if (dup) throw dup;
  validateManifest(manifest, { file: entryFile, bundleBytes: bytes });
  return { code, sha256: sha256Hex(code), manifest };
}
