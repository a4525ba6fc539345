import { createHash } from "node:crypto";
import vm from "node:vm";
import * as zod from "zod";
import * as sdk from "@/sdk";
import type { AnyIntegration } from "@/sdk";
import { isIntegration } from "@/sdk";

// Bundles are CommonJS built with zod and portico/sdk left external: the host hands them its
// own instances, so `z` schemas and error classes are the ones the engine knows.
// Builders' code is trusted by the vendor; this is a loader, not a security boundary
// (the fault sandbox of worker threads comes with the engine issue).

const HOST_MODULES: Record<string, unknown> = {
  zod,
  "zod/v4": zod,
  "portico/sdk": sdk,
};

export class BundleLoadError extends Error {
  override name = "BundleLoadError";
}

export function sha256Hex(code: string): string {
  return createHash("sha256").update(code).digest("hex");
}

function hostRequire(id: string): unknown {
  if (id in HOST_MODULES) return HOST_MODULES[id];
  throw new BundleLoadError(`integration bundles may only import zod and portico/sdk, not "${id}" (bundle it instead)`);
}

/** Evaluates a bundle without caching; `filename` shows in stack traces. */
export function evaluateBundle(code: string, filename: string): AnyIntegration {
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, { filename });
  const fn = wrapper.runInThisContext() as (...args: unknown[]) => void;
  fn(module.exports, hostRequire, module, filename, "/");
  const exported = (module.exports as { default?: unknown }).default ?? module.exports;
  if (!isIntegration(exported))
    throw new BundleLoadError("the bundle's default export is not a defineIntegration(...) result");
  return exported;
}

// Evaluated definitions by sha256, least recently used first (a Map keeps insertion order; a
// hit moves the entry to the end). Bounded by count and by the bundles' code size, so a worker
// that has run many versions over months does not keep all of them alive.
const cache = new Map<string, { def: AnyIntegration; bytes: number }>();
let cachedBytes = 0;
const limits = { maxBundles: 100, maxBytes: 128 * 1024 * 1024 };

/** Changes the in-memory bound (tests, or a process that runs very many versions); evicts at once. */
export function setBundleMemoryLimits(next: Partial<typeof limits>): void {
  Object.assign(limits, next);
  evict();
}

function evict(): void {
  for (const [sha, entry] of cache) {
    if (cache.size <= limits.maxBundles && cachedBytes <= limits.maxBytes) break;
    cache.delete(sha);
    cachedBytes -= entry.bytes;
  }
}

/**
 * The integration defined by a stored bundle, evaluated once per process per sha256 (while it
 * stays among the recently used ones). The code is checked against its sha256 first, so a cache
 * hit always means the same code. To load a version by id through the disk cache, see bundle-cache.ts.
 */
export function loadBundle(bundle: { sha256: string; code: string }): AnyIntegration {
  const hit = cachedBundle(bundle.sha256);
  if (hit) return hit;
  const actual = sha256Hex(bundle.code);
  if (actual !== bundle.sha256) throw new BundleLoadError(`bundle sha256 mismatch: stored ${bundle.sha256}, code ${actual}`);
  const def = evaluateBundle(bundle.code, `portico-bundle-${bundle.sha256.slice(0, 12)}.js`);
  const bytes = Buffer.byteLength(bundle.code);
  cache.set(bundle.sha256, { def, bytes });
  cachedBytes += bytes;
  evict();
  return def;
}

/** The definition if this process already evaluated that sha256 (saves reading the bundle column). */
export function cachedBundle(sha256: string): AnyIntegration | undefined {
  const entry = cache.get(sha256);
  if (!entry) return undefined;
  cache.delete(sha256); // most recently used goes last
  cache.set(sha256, entry);
  return entry.def;
}

export function loadedBundleCount(): number {
  return cache.size;
}
