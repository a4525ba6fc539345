import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

// CPU time used by the benchmark's Postgres (postmaster + every backend, live or exited) and
// Redis, read from /proc. With the process's own process.cpuUsage() this gives CPU per
// accepted request — a figure that, unlike req/s, barely moves when other jobs load the machine.

const TICK_MS = 10; // USER_HZ is 100 on Linux

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

// After ") ": [0]=state [1]=ppid ... [11]=utime [12]=stime [13]=cutime [14]=cstime
const own = (f: string[]) => (Number(f[11]) + Number(f[12])) * TICK_MS;
const reaped = (f: string[]) => (Number(f[13]) + Number(f[14])) * TICK_MS;

/** CPU ms of pid, of its children that exited, and of its live children. */
export function treeCpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  const f = statFields(pid);
  if (!f) return NaN;
  let total = own(f) + reaped(f);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cf = statFields(Number(entry));
    if (cf && Number(cf[1]) === pid) total += own(cf);
  }
  return total;
}

function pidFrom(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").split("\n")[0]!.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export const postgresPid = () => pidFrom(path.resolve(process.env.BENCH_DATA_DIR ?? ".portico/bench", "pg/postmaster.pid"));
export const redisPid = () => pidFrom(path.resolve(process.env.BENCH_DATA_DIR ?? ".portico/bench", "redis/portico-redis.pid"));

export function infraCpuMs(): { postgresMs: number; redisMs: number } {
  return { postgresMs: treeCpuMs(postgresPid()), redisMs: treeCpuMs(redisPid()) };
}

/** CPU ms of this process's main thread (its task id is the pid): the rest of process.cpuUsage() is other threads (sandbox, libuv, GC helpers). */
export function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    return own(stat.slice(stat.lastIndexOf(")") + 2).split(" "));
  } catch {
    return NaN;
  }
}

/** CPU ms of this process's threads, by thread (name:tid from /proc/self/task/<tid>/comm). */
export function threadCpuByName(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const comm = Number(tid) === process.pid ? "main" : `${readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim()}:${tid}`;
      out[comm] = (out[comm] ?? 0) + own(stat.slice(stat.lastIndexOf(")") + 2).split(" "));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}
