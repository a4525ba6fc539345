import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client";
import { env } from "./env";

export type Db = PrismaClient;
export { Prisma } from "../generated/prisma/client";

// Fail a query fast when Postgres is down instead of queueing it forever: ingest answers 503.
const CONNECT_TIMEOUT_MS = 5_000;
const hotPools = new WeakMap<Db, { connectionString: string; max: number; pool?: pg.Pool; asyncPool?: pg.Pool }>();

/** `max`: connections in the pool (default 10); an executor sizes it from its concurrency. */
export function createDb(connectionString: string, opts: { max?: number } = {}): Db {
  const max = opts.max ?? 10;
  const adapter = new PrismaPg({ connectionString, max, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // Prisma's interactive transactions default to 5 s; on a saturated machine (2 shared cores at a
  // load of 50 in CI) a short transaction such as publishing a version can take longer through no
  // fault of its own and would fail. A bound still stops a stuck one from holding its locks.
  const db = new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 20_000 } });
  hotPools.set(db, { connectionString, max });
  const disconnect = db.$disconnect.bind(db);
  db.$disconnect = async () => {
    const entry = hotPools.get(db);
    const pools = [entry?.pool, entry?.asyncPool];
    if (entry) {
      delete entry.pool;
      delete entry.asyncPool;
    }
    await Promise.all([disconnect(), ...pools.map((p) => p?.end().catch(() => undefined))]);
  };
  return db;
}

/**
 * A plain `pg` pool beside the Prisma client, to the same database, for hot paths that cannot
 * afford Prisma's per-query CPU (the executor's claim and record writes). Created on first use
 * with `max` connections (default: the client's own size), ended by `db.$disconnect()` (and
 * created again if the client is used afterwards). Undefined for a client createDb did not make.
 *
 * `asyncCommit`: a second pool whose sessions commit without waiting for the WAL flush
 * (synchronous_commit = off), for writes that may be lost in a crash of PostgreSQL itself
 * without harm — e.g. the executor's claim of a run: any later synchronous commit (the run's
 * first step) flushes it too, and a claim lost before that only means the run is claimed again.
 */
export function hotPool(db: Db, max?: number, opts: { asyncCommit?: boolean } = {}): pg.Pool | undefined {
  const entry = hotPools.get(db);
  if (!entry) return undefined;
  const key = opts.asyncCommit ? "asyncPool" : "pool";
  if (!entry[key]) {
    const pool = new pg.Pool({
      connectionString: entry.connectionString,
      ...(opts.asyncCommit ? { options: "-c synchronous_commit=off" } : {}),
      max: max ?? entry.max,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // Idle connections never keep a process alive (tests, scripts); a quiet minute does not
      // close them (a new connection costs a SCRAM handshake: ~5–10 ms of CPU here).
      allowExitOnIdle: true,
      idleTimeoutMillis: 60_000,
    });
    // An idle connection that dies (Postgres restarted) is dropped by the pool; the next
    // query opens a new one. Without a listener the 'error' event would crash the process.
    pool.on("error", () => {});
    entry[key] = pool;
  }
  return entry[key];
}

/** Connections an executor of `concurrency` needs: one per run in flight, plus records, reconciler, schedules. */
export function executorPoolSize(concurrency: number): number {
  return Math.max(10, concurrency + 5);
}

const globalForDb = globalThis as unknown as { porticoDb?: Db };

/** The process-wide client (one pool per process; Next dev reloads keep it). The first caller's `max` wins. */
export function getDb(opts: { max?: number } = {}): Db {
  globalForDb.porticoDb ??= createDb(env.DATABASE_URL, opts);
  return globalForDb.porticoDb;
}
