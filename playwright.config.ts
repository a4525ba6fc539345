import { defineConfig } from "@playwright/test";

// The e2e stack is the real one, started by the same supervisor as `npm start`, on its own
// ports and data folder so it never touches the demo's. Its Postgres/Redis ports sit outside
// the test slots' ranges (src/test/test-slot.ts: 54339+10N, 63809+10N), so a developer's vitest
// in slot 1 and an e2e run no longer fight over 54349/63819.
const PORT = 3100;
export const E2E_DATA_DIR = ".portico/e2e";

export default defineConfig({
  testDir: "e2e",
  // Generous: CI and this machine have 2 shared cores, and the first page of a cold server compiles its chunks.
  timeout: 150_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    command: "node scripts/start.mjs",
    url: `http://127.0.0.1:${PORT}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
    env: {
      PORT: String(PORT),
      PORTICO_DATA_DIR: E2E_DATA_DIR,
      PORTICO_PG_PORT: "54989",
      PORTICO_REDIS_PORT: "63989",
      SANDBOX_PORT: "4110",
      PORTICO_SKIP_BUILD: "1",
      LOG_LEVEL: "warn",
    },
  },
});
