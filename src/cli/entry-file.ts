import { existsSync, statSync } from "node:fs";
import path from "node:path";

const CANDIDATES = ["index.ts", "index.mts", "index.js", "src/index.ts"];

/** The integration's entry file: `<dir>` itself when it is a file, else its index.ts (or .mts/.js, src/index.ts). */
export function resolveEntryFile(target: string, cwd: string): { file: string; display: string } {
  const full = path.resolve(cwd, target);
  if (!existsSync(full)) throw new CliError(`${target}: no such file or directory`);
  let file = full;
  if (statSync(full).isDirectory()) {
    const found = CANDIDATES.map((c) => path.join(full, c)).find((f) => existsSync(f));
    if (!found) throw new CliError(`${target}: no integration entry file (looked for ${CANDIDATES.join(", ")})`);
    file = found;
  }
  const relative = path.relative(cwd, file);
  // Messages name the file the way the builder would type it.
  return { file, display: relative.startsWith("..") ? file : relative };
}

/** An error whose message is meant for the terminal as is (no stack). */
export class CliError extends Error {
  override name = "CliError";
}
