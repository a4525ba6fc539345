import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";

// Several people (and agents) run `vitest` in the same checkout at once, and the test
// Postgres/Redis live on fixed ports with one data folder. Two runs must not share them: one
// would stop the servers or rebuild the template under the other. So a run holds this lock from
// global setup to teardown, and a second run waits for it. A lock whose process is gone is stale.

export async function acquireRunLock(
  file: string,
  opts: { timeoutMs?: number; onWait?: (holderPid: number) => void } = {},
): Promise<() => void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off("exit", release);
        if (holder(file) === process.pid) unlinkSync(file);
      };
      process.on("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const pid = holder(file);
    if (pid === undefined || !isAlive(pid)) {
      try {
        unlinkSync(file); // stale: its run was killed
      } catch {
        // another waiter removed it first
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the test run lock held by pid ${pid} (${file})`);
    if (!announced) {
      opts.onWait?.(pid);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function holder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
