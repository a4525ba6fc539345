import path from "node:path";
import { build } from "esbuild";
import { AppError } from "@/lib/errors";
import { evaluateBundle, sha256Hex } from "./load-bundle";
import { extractManifest, type Manifest } from "./manifest";

/** A published bundle must stay small enough to keep in every worker's memory. */
export const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;

export interface BuiltBundle {
  code: string;
  sha256: string;
  manifest: Manifest;
}

/**
 * Bundles an integration's entry file into one CommonJS file (zod and portico/sdk stay
 * external: the host provides them), then evaluates it once to extract the manifest.
 * Throws BAD_INPUT naming the file and the problem.
 */
export async function buildBundle(entryFile: string): Promise<BuiltBundle> {
  const entry = path.resolve(entryFile);
  let code: string;
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
  } catch (err) {
    const errors = (err as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors;
    const first = errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column}` : entryFile;
    throw new AppError("BAD_INPUT", `${where}: ${first?.text ?? (err as Error).message}`, { file: entryFile });
  }

  const bytes = Buffer.byteLength(code);
  if (bytes > MAX_BUNDLE_BYTES)
    throw new AppError("BAD_INPUT", `${entryFile}: bundle is ${bytes} bytes, over the ${MAX_BUNDLE_BYTES} byte limit`, {
      file: entryFile,
      bytes,
      limit: MAX_BUNDLE_BYTES,
    });

  let manifest: Manifest;
  try {
    manifest = extractManifest(evaluateBundle(code, entry));
  } catch (err) {
    if (err instanceof AppError) throw new AppError(err.code, `${entryFile}: ${err.message}`, { ...err.details, file: entryFile });
    throw new AppError("BAD_INPUT", `${entryFile}: ${(err as Error).message}`, { file: entryFile });
  }
  return { code, sha256: sha256Hex(code), manifest };
}
