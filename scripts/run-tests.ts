// `npm test`: every test — unit and integration (vitest, against real PostgreSQL and Redis that
// the vitest global setup starts on their own ports) — then a production build and the
// Playwright end-to-end tests in Debian's Chromium against the whole stack.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { runNextBuild } from "./lib/next-build";

const root = path.resolve(__dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const only = process.argv[2]; // "unit" | "e2e" | undefined (= all)

function step(title: string, cmd: string, args: string[], env: Record<string, string> = {}) {
  console.log(`\n=== ${title} ===`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\n${title} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

if (only !== "e2e") step("unit and integration tests (vitest)", bin("vitest"), ["run"]);
if (only !== "unit") {
  console.log("\n=== production build (next build) ===");
  runNextBuild(root);
  // A fresh stack for every run: its own database, Redis and data folder (never the demo's).
  rmSync(path.join(root, ".portico", "e2e"), { recursive: true, force: true });
  step("end-to-end tests (Playwright, Chromium)", bin("playwright"), ["test"]);
}
