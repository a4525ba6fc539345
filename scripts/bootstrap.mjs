// Plain Node (no dependencies): the first thing `npm start` and `npm test` run on a fresh
// clone. Installs packages when they are missing or stale, generates the Prisma client, then
// hands over to a TypeScript entry point run with tsx.
import { spawnSync, spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

function run(cmd, args, extraEnv = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...extraEnv } });
  if (r.status !== 0) {
    console.error(`[portico] ${cmd} ${args.join(" ")} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

export function ensureInstalled() {
  const marker = path.join(root, "node_modules", ".package-lock.json");
  const lock = path.join(root, "package-lock.json");
  if (!existsSync(marker) || mtime(lock) > mtime(marker)) {
    // `npm install`, not `npm ci`: the lock file made here lists only this platform's optional
    // native packages, which `npm ci` refuses as "out of sync"; install honours the lock otherwise.
    console.log("[portico] installing npm packages (npm install) …");
    run("npm", ["install", "--no-audit", "--no-fund"]);
  }
  const generated = path.join(root, "src", "generated", "prisma", "client.ts");
  if (!existsSync(generated) || mtime(path.join(root, "prisma", "schema.prisma")) > mtime(generated)) {
    console.log("[portico] generating the Prisma client …");
    // Any executable stops the CLI from downloading the schema engine (ENVIRONMENT.md).
    run(path.join(root, "node_modules", ".bin", "prisma"), ["generate"], {
      PRISMA_SCHEMA_ENGINE_BINARY: "/bin/true",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    });
  }
}

/** Runs a TypeScript entry with tsx, forwarding signals, and exits with its code. */
export function handOver(entry, args = []) {
  const child = spawn(path.join(root, "node_modules", ".bin", "tsx"), [path.join(root, entry), ...args], {
    cwd: root,
    stdio: "inherit",
    env: process.env,
  });
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
