import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { isInitLike, parentPid } from "./process-info";

// A local redis-server child process (Debian's redis-server 7; no npm package ships a binary).
// AOF with fsync every second: BullMQ keeps jobs in Redis, and the Postgres ledger plus the
// reconciler cover the last second a crash can lose. noeviction: evicting queue keys would
// silently drop jobs, so Redis must refuse writes instead.

export interface StartRedisOptions {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}

export interface RunningRedis {
  /** redis://127.0.0.1:<port> */
  url: string;
  stop(): Promise<void>;
}

const PID_FILE = "portico-redis.pid";

/** Makes sure `redis-server` is on PATH, installing Debian's package when we are root with apt. */
export function ensureRedisBinary(log: (line: string) => void = () => {}): string {
  const found = which("redis-server");
  if (found) return found;
  if (process.getuid?.() === 0 && which("apt-get")) {
    const install = () =>
      execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "redis-server"], {
        stdio: "inherit",
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      });
    log("redis-server not found: installing it with apt-get");
    try {
      install();
    } catch {
      execFileSync("apt-get", ["update"], { stdio: "inherit" });
      install();
    }
    const installed = which("redis-server");
    if (installed) return installed;
  }
  throw new Error(
    "redis-server is not installed. Install Redis 7: `apt-get install redis-server` (Debian/Ubuntu) " +
      "or `brew install redis` (macOS), then run this again.",
  );
}

/**
 * Starts redis-server on 127.0.0.1:<port> with its AOF in dataDir.
 *
 * A server left running by an earlier run that was killed (we record its pid in dataDir, and its
 * parent is gone) is shut down and replaced rather than reused: our stop() then always owns the
 * process it stops, and the restart reloads the AOF, so no data is lost. One whose parent is
 * still alive belongs to another running stack: an error, as is a port held by anything else.
 */
export async function startRedis(opts: StartRedisOptions): Promise<RunningRedis> {
  const log = opts.log ?? (() => {});
  const binary = ensureRedisBinary(log);
  const dataDir = path.resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const pidFile = path.join(dataDir, PID_FILE);

  await clearStaleServer(pidFile, opts.port, log);
  if (await answersPing(opts.port)) {
    throw new Error(`port ${opts.port} is already served by another Redis (not one started on ${dataDir})`);
  }

  const child = spawn(
    binary,
    [
      "--port", String(opts.port),
      "--bind", "127.0.0.1",
      "--dir", dataDir,
      "--appendonly", "yes",
      "--appendfsync", "everysec",
      "--maxmemory-policy", "noeviction",
      "--save", "",
      "--daemonize", "no",
      "--protected-mode", "yes",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      for (const line of chunk.split("\n")) if (line.trim()) log(line);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const spawnError = new Promise<never>((_, reject) => child.once("error", reject));
  if (child.pid) writeFileSync(pidFile, `${child.pid}\n`);

  // Ready when PING answers; a quick exit (bad flag, port taken) fails the start.
  for (let waited = 0; ; waited += 50) {
    const outcome = await Promise.race([
      answersPing(opts.port).then((ok) => (ok ? "up" : "wait")),
      exited.then(() => "exited" as const),
      spawnError,
    ]);
    if (outcome === "up") break;
    if (outcome === "exited" || waited > 30_000) {
      child.kill("SIGKILL");
      rmSync(pidFile, { force: true });
      throw new Error(`redis-server failed to start on 127.0.0.1:${opts.port} (data ${dataDir})`);
    }
    await sleep(50);
  }

  let stopped: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${opts.port}`,
    stop: () => (stopped ??= stopChild(child, exited, pidFile)),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>, pidFile: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    // SIGTERM makes redis-server flush the AOF and exit, like SHUTDOWN.
    child.kill("SIGTERM");
    const timeout = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timeout);
  }
  rmSync(pidFile, { force: true });
}

async function clearStaleServer(pidFile: string, port: number, log: (line: string) => void): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && isRedisOnPort(pid, port)) {
    const parent = parentPid(pid);
    if (parent !== undefined && parent !== 1 && isAlive(parent) && !isInitLike(parent)) {
      throw new Error(`redis-server (pid ${pid}) on port ${port} belongs to live process ${parent}; stop that first`);
    }
    log(`stopping redis-server (pid ${pid}) left running by an earlier run`);
    process.kill(pid, "SIGTERM");
    for (let waited = 0; isAlive(pid); waited += 50) {
      if (waited > 15_000) process.kill(pid, "SIGKILL");
      await sleep(50);
    }
  }
  rmSync(pidFile, { force: true });
}

function isRedisOnPort(pid: number, port: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    // redis rewrites its title to "redis-server 127.0.0.1:<port>"
    return cmd.includes("redis-server") && cmd.includes(`:${port}`);
  } catch {
    return false; // no /proc: do not signal a pid we cannot identify
  }
}


/** Speaks just enough RESP to ask PING; no client library so this works before deps load. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    let reply = "";
    socket.on("data", (d) => {
      reply += d.toString();
      // "-LOADING" while the AOF is replayed: not ready yet.
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // An exited orphan stays a zombie until the container's init reaps it: count it as gone.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const full = path.join(dir, cmd);
    if (dir && existsSync(full)) return full;
  }
  // apt installs into /usr/bin and /usr/sbin, which a minimal PATH may lack
  for (const dir of ["/usr/bin", "/usr/sbin", "/usr/local/bin"]) {
    const full = path.join(dir, cmd);
    if (existsSync(full)) return full;
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
