import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";
import type { AnyIntegration } from "@/sdk";
import { BundleLoadError, cachedBundle, loadBundle, sha256Hex } from "./load-bundle";

// Workers load a version's bundle by id, through two caches keyed by its sha256 (a version is
// immutable, so the sha256 names the code for good):
//   1. memory: the evaluated definition (load-bundle.ts, bounded LRU);
//   2. disk:   <BUNDLE_CACHE_DIR or PORTICO_DATA_DIR/bundles>/<sha256>.js, so a restarted
//      executor (a deploy, a crash) does not read every bundle column from Postgres again.
// Files are written to a temp name and renamed (readers never see half a file), and are
// checked against their sha256 when read: a corrupted or truncated file is ignored, removed
// and written again from Postgres. The disk cache is an optimisation only: any error there
// falls back to Postgres.

export interface VersionRef {
  id: string;
  /** The version's sha256 (select it without the bundle column). */
  sha256: string;
}

export interface BundleCacheOptions {
  /** The cache folder; null: memory only. Default: BUNDLE_CACHE_DIR, or PORTICO_DATA_DIR/bundles. */
  dir?: string | null;
}

const counters = { diskHits: 0, diskWrites: 0, dbFetches: 0, corruptFiles: 0 };

/** How this process got its bundles so far (for tests and diagnostics). */
export function bundleCacheStats(): Readonly<typeof counters> {
  return { ...counters };
}

export function defaultBundleCacheDir(): string | null {
  const configured = env.BUNDLE_CACHE_DIR;
  if (configured === "off") return null;
  return path.resolve(configured ?? path.join(env.PORTICO_DATA_DIR, "bundles"));
}

function dirOf(opts: BundleCacheOptions): string | null {
  return opts.dir === undefined ? defaultBundleCacheDir() : opts.dir;
}

function fileFor(dir: string, sha256: string): string {
  // The name comes from our own column, but it becomes a path: only hex gets near the filesystem.
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new BundleLoadError(`not a sha256: "${sha256.slice(0, 80)}"`);
  return path.join(dir, `${sha256}.js`);
}

/** The cached code of that sha256, or null when missing or not matching its sha256 (then removed). */
export async function readCachedBundle(dir: string, sha256: string): Promise<string | null> {
  const file = fileFor(dir, sha256);
  let code: string;
  try {
    code = await readFile(file, "utf8");
  } catch {
    return null;
  }
  if (sha256Hex(code) !== sha256) {
    counters.corruptFiles++;
    await rm(file, { force: true }).catch(() => {});
    return null;
  }
  counters.diskHits++;
  return code;
}

/** Writes the code under its sha256, atomically (temp file + rename); failures are swallowed. */
export async function writeCachedBundle(dir: string, sha256: string, code: string): Promise<boolean> {
  const file = fileFor(dir, sha256);
  const temp = path.join(dir, `.${sha256}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, code, { mode: 0o644 });
    await rename(temp, file);
    counters.diskWrites++;
    return true;
  } catch {
    await rm(temp, { force: true }).catch(() => {});
    return false;
  }
}

/**
 * A version's bundle code: from the disk cache when it holds that sha256, else read from
 * Postgres (the only query that selects the bundle column) and written to the disk cache.
 */
export async function versionBundleCode(db: Db, version: VersionRef, opts: BundleCacheOptions = {}): Promise<string> {
  const dir = dirOf(opts);
  if (dir) {
    const hit = await readCachedBundle(dir, version.sha256);
    if (hit !== null) return hit;
  }
  const row = await db.integrationVersion.findUniqueOrThrow({ where: { id: version.id }, select: { bundle: true, sha256: true } });
  counters.dbFetches++;
  if (row.sha256 !== version.sha256 || sha256Hex(row.bundle) !== row.sha256)
    throw new BundleLoadError(`bundle of version ${version.id} does not match its sha256 ${version.sha256}`);
  if (dir) await writeCachedBundle(dir, row.sha256, row.bundle);
  return row.bundle;
}

/** A version's integration definition: memory, then disk, then Postgres (see above). */
export async function loadVersionBundle(db: Db, version: VersionRef, opts: BundleCacheOptions = {}): Promise<AnyIntegration> {
  const hit = cachedBundle(version.sha256);
  if (hit) return hit;
  return loadBundle({ sha256: version.sha256, code: await versionBundleCode(db, version, opts) });
}

/** The same by version id only (one small query for the sha256, without the bundle column). */
export async function loadVersionBundleById(db: Db, versionId: string, opts: BundleCacheOptions = {}): Promise<AnyIntegration> {
  const version = await db.integrationVersion.findUniqueOrThrow({ where: { id: versionId }, select: { id: true, sha256: true } });
  return loadVersionBundle(db, version, opts);
}
