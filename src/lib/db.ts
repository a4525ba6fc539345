import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client";
import { env } from "./env";

export type Db = PrismaClient;
export { Prisma } from "../generated/prisma/client";

export function createDb(connectionString: string, opts: { max?: number } = {}): Db {
  const adapter = new PrismaPg({
    connectionString,
    max: opts.max ?? 10,
    // Fail a query fast when Postgres is down instead of queueing it forever: ingest answers 503.
    connectionTimeoutMillis: 5_000,
  });
  return new PrismaClient({ adapter });
}

const globalForDb = globalThis as unknown as { porticoDb?: Db };

/** The process-wide client (one pool per process; Next dev reloads keep it). */
export function getDb(): Db {
  globalForDb.porticoDb ??= createDb(env.DATABASE_URL);
  return globalForDb.porticoDb;
}
