import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { startPostgres, type RunningPostgres } from "../../scripts/lib/postgres";
import { startRedis, type RunningRedis } from "../../scripts/lib/redis-server";
import { applyMigrations } from "../../scripts/lib/schema-engine";

// The benchmark's own PostgreSQL and Redis (never the demo's or the tests'): durable settings
// (fsync on, AOF everysec), as a production install would run them. The database is dropped and
// migrated afresh on every run so figures never depend on rows left by an earlier one.

export const BENCH_DB = "bench";

export interface BenchInfra {
  databaseUrl: string;
  redisUrl: string;
  pgPort: number;
  redisPort: number;
  stop(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

// Several benchmark runs at once (helpers sharing the machine) need their own data folders too.
const DATA_DIR = process.env.BENCH_DATA_DIR ?? ".portico/bench";

export async function startInfra(log: (line: string) => void): Promise<BenchInfra> {
  const pgPort = Number(process.env.BENCH_PG_PORT ?? 54359);
  const redisPort = Number(process.env.BENCH_REDIS_PORT ?? 63829);
  for (const [what, port, variable] of [["Postgres", pgPort, "BENCH_PG_PORT"], ["Redis", redisPort, "BENCH_REDIS_PORT"]] as const) {
    if (!(await portFree(port)))
      throw new Error(`port ${port} (bench ${what}) is taken by another process; stop it or set ${variable}=<free port>`);
  }

  let postgres: RunningPostgres | undefined;
  let redis: RunningRedis | undefined;
  const stop = async () => {
    await Promise.allSettled([redis?.stop(), postgres?.stop()]);
  };
  try {
    log(`starting Postgres on 127.0.0.1:${pgPort} and Redis on 127.0.0.1:${redisPort} (data under ${DATA_DIR}/)`);
    [postgres, redis] = await Promise.all([
      startPostgres({ dataDir: `${DATA_DIR}/pg`, port: pgPort, unsafeFast: false }),
      startRedis({ dataDir: `${DATA_DIR}/redis`, port: redisPort }),
    ]);
    const admin = new pg.Client({ connectionString: postgres.urlFor("postgres") });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${BENCH_DB}`);
    } finally {
      await admin.end();
    }
    const databaseUrl = postgres.urlFor(BENCH_DB);
    await applyMigrations(databaseUrl);
    const r = new Redis(redis.url, { lazyConnect: true });
    await r.connect();
    await r.flushall();
    r.disconnect();
    return { databaseUrl, redisUrl: redis.url, pgPort, redisPort, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Synchronous last resort for process.on("exit"): signals the Redis and Postgres we started
 * (pids from their own pid files) to shut down. A no-op for a server already stopped.
 */
export function stopInfraNow(): void {
  for (const [file, signal] of [
    [`${DATA_DIR}/redis/portico-redis.pid`, "SIGTERM"],
    [`${DATA_DIR}/pg/postmaster.pid`, "SIGINT"], // Postgres "fast" shutdown
  ] as const) {
    try {
      const pid = Number(readFileSync(path.resolve(file), "utf8").split("\n")[0]!.trim());
      if (Number.isInteger(pid) && pid > 0) process.kill(pid, signal);
    } catch {
      // no pid file (already stopped) or no such process
    }
  }
}

/** The environment Portico's modules read (src/lib/env.ts), for this process and every child. */
export function porticoEnv(infra: BenchInfra): Record<string, string> {
  return {
    NODE_ENV: "production",
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    REDIS_PREFIX: "bench-portico",
    // Throwaway keys: the bench database is recreated on every run.
    PORTICO_MASTER_KEY: randomBytes(32).toString("base64"),
    NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
    PORTICO_DATA_DIR: DATA_DIR,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
  };
}
