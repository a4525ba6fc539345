#!/usr/bin/env node
// The `portico` command (package.json "bin"): runs src/cli/main.ts with this package's tsx and
// tsconfig (paths such as "@/…"), from the caller's directory, and exits with its code.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsxCli = path.join(path.dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist", "cli.mjs");

const child = spawn(
  process.execPath,
  [tsxCli, "--tsconfig", path.join(root, "tsconfig.json"), path.join(root, "src", "cli", "main.ts"), ...process.argv.slice(2)],
  { stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
