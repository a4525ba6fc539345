import { readFileSync } from "node:fs";

// What the Postgres and Redis launchers ask of /proc to tell a server orphaned by a killed run
// (adopted by init) from one whose launcher is still alive.

export function parentPid(pid: number): number | undefined {
  try {
    // Field 4 of /proc/<pid>/stat; the command name (field 2) may contain spaces, so cut after ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** Container init processes and subreapers adopt orphans; a node/npm parent is a live owner. */
export function isInitLike(pid: number): boolean {
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    return !/^(node|npm|npx|tsx|vitest)/.test(comm);
  } catch {
    return true;
  }
}
