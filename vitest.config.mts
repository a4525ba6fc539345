import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// One Postgres and one Redis for the whole run (src/test/global-setup.ts); every test that
// asks for `db` gets its own database cloned from a migrated template (src/test/db-test.ts),
// so files run in parallel without sharing rows or Redis keys.
const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^portico\/sdk$/, replacement: path.join(root, "src/sdk/index.ts") },
      { find: /^portico\/sdk\/testing$/, replacement: path.join(root, "src/sdk/testing/index.ts") },
      { find: /^@\//, replacement: `${path.join(root, "src")}/` },
    ],
  },
  test: {
    include: [
      "src/**/*.test.ts",
      "sandbox/**/*.test.ts",
      "integrations/**/*.test.ts",
      "scripts/**/*.test.ts",
      "workers/**/*.test.ts",
    ],
    exclude: ["e2e/**", "node_modules/**", ".portico/**", ".next/**"],
    // forks, not threads: Prisma's WASM engine, pg and BullMQ hold native-ish resources that
    // do not share an isolate well, and a crashing test file must not take the others down.
    pool: "forks",
    globalSetup: ["src/test/global-setup.ts"],
    setupFiles: ["src/test/setup-env.ts"],
    // Real databases on a shared 2-core machine: generous, never a timing assertion.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
