import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect } from "vitest";
import { seedOrdersInstance } from "@/engine/testing/walking-skeleton";
import { dbTest } from "@/test/db-test";
import { bundleCacheStats, loadVersionBundle, versionBundleCode } from "./bundle-cache";
import { cachedBundle, loadBundle, loadedBundleCount, setBundleMemoryLimits, sha256Hex } from "./load-bundle";

// Workers load a version's bundle by id through memory, then a disk cache by sha256, then Postgres.

const NOWHERE = { sandboxUrl: "http://127.0.0.1:9" };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "portico-bundles-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  setBundleMemoryLimits({ maxBundles: 100 });
});

/** What a freshly started process has in memory: nothing. */
function forgetEvaluatedBundles() {
  setBundleMemoryLimits({ maxBundles: 0 });
  setBundleMemoryLimits({ maxBundles: 100 });
}

const delta = (before: ReturnType<typeof bundleCacheStats>) => {
  const now = bundleCacheStats();
  return { diskHits: now.diskHits - before.diskHits, dbFetches: now.dbFetches - before.dbFetches, diskWrites: now.diskWrites - before.diskWrites, corruptFiles: now.corruptFiles - before.corruptFiles };
};

describe("the bundle cache", () => {
  dbTest("a cold cache reads the bundle from Postgres once and writes it to disk under its sha256", async ({ db }) => {
    const { version } = await seedOrdersInstance(db, NOWHERE);
    const before = bundleCacheStats();
    const code = await versionBundleCode(db, version, { dir });
    expect(sha256Hex(code)).toBe(version.sha256);
    expect(delta(before)).toEqual({ diskHits: 0, dbFetches: 1, diskWrites: 1, corruptFiles: 0 });
    // Only the finished file: the temp file it was written to was renamed.
    expect(readdirSync(dir)).toEqual([`${version.sha256}.js`]);
    expect(readFileSync(path.join(dir, `${version.sha256}.js`), "utf8")).toBe(code);
  });

  dbTest("a process starting with a warm disk cache loads the version without fetching the bundle column", async ({ db }) => {
    const { version } = await seedOrdersInstance(db, NOWHERE);
    await versionBundleCode(db, version, { dir });
    forgetEvaluatedBundles();
    expect(loadedBundleCount()).toBe(0);

    const before = bundleCacheStats();
    const def = await loadVersionBundle(db, version, { dir });
    expect(Object.keys(def.flows)).toContain("onOrder");
    expect(delta(before)).toEqual({ diskHits: 1, dbFetches: 0, diskWrites: 0, corruptFiles: 0 });
    // Then memory answers: neither disk nor Postgres.
    await loadVersionBundle(db, version, { dir });
    expect(delta(before)).toEqual({ diskHits: 1, dbFetches: 0, diskWrites: 0, corruptFiles: 0 });

    // Without the file, the next cold load goes back to Postgres (and writes the file again).
    forgetEvaluatedBundles();
    rmSync(path.join(dir, `${version.sha256}.js`));
    await loadVersionBundle(db, version, { dir });
    expect(delta(before)).toEqual({ diskHits: 1, dbFetches: 1, diskWrites: 1, corruptFiles: 0 });
    expect(existsSync(path.join(dir, `${version.sha256}.js`))).toBe(true);
  });

  dbTest("a corrupted or truncated file is ignored, and rewritten from Postgres", async ({ db }) => {
    const { version } = await seedOrdersInstance(db, NOWHERE);
    const file = path.join(dir, `${version.sha256}.js`);
    const good = await versionBundleCode(db, version, { dir });

    for (const bad of ['module.exports = { evil: true };', good.slice(0, good.length / 2)]) {
      writeFileSync(file, bad);
      forgetEvaluatedBundles();
      const before = bundleCacheStats();
      const def = await loadVersionBundle(db, version, { dir });
      expect(Object.keys(def.flows)).toContain("onOrder");
      expect(delta(before)).toEqual({ diskHits: 0, dbFetches: 1, diskWrites: 1, corruptFiles: 1 });
      expect(readFileSync(file, "utf8")).toBe(good);
    }
  });

  dbTest("memory keeps the most recently used bundles up to its bound", async ({ db }) => {
    const { version } = await seedOrdersInstance(db, NOWHERE);
    const code = await versionBundleCode(db, version, { dir });
    // Three bundles with different sha256s (a trailing comment changes the hash, not the code).
    const [a, b, c] = ["a", "b", "c"].map((tag) => ({ code: `${code}\n// ${tag}`, sha256: sha256Hex(`${code}\n// ${tag}`) }));
    forgetEvaluatedBundles();
    setBundleMemoryLimits({ maxBundles: 2 });
    loadBundle(a!);
    loadBundle(b!);
    expect(cachedBundle(a!.sha256)).toBeDefined(); // a is now the most recently used
    loadBundle(c!);
    expect(loadedBundleCount()).toBe(2);
    expect([a, b, c].map((x) => cachedBundle(x!.sha256) !== undefined)).toEqual([true, false, true]);
  });
});
