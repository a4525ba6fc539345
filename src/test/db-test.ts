import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject, test } from "vitest";
import { createDb, type Db } from "@/lib/db";
import { createRedis, type Redis } from "@/lib/redis";
import type { PorticoTestContext } from "./provided-context";

// The fixture every integration test uses:
//   dbTest("behaviour", async ({ db, redis, redisPrefix, databaseUrl, redisUrl }) => { … })
// Each test that asks for `db` or `databaseUrl` gets a fresh database cloned from the migrated
// template (CREATE DATABASE … TEMPLATE copies files: no migrations per test), dropped after the
// test. `redisPrefix` is unique per test: pass it as the BullMQ `prefix` / key prefix so tests
// in parallel never see each other's queues. Fixtures are lazy: unused ones cost nothing.

export interface DbTestFixtures {
  /** URL of this test's own database (already migrated). */
  databaseUrl: string;
  /** Prisma client on databaseUrl; disconnected after the test. */
  db: Db;
  /** The shared test Redis; give every key/queue redisPrefix. */
  redisUrl: string;
  /** Unique per test, e.g. "test:4711:3:9f2c…"; keys under it are deleted after the test. */
  redisPrefix: string;
  /** ioredis client (role "worker") on redisUrl; closed after the test. */
  redis: Redis;
}

let counter = 0;
const uniqueSuffix = () => `${process.pid}_${++counter}_${randomBytes(4).toString("hex")}`;

let adminPool: pg.Pool | undefined;
function admin(ctx: PorticoTestContext): pg.Pool {
  // allowExitOnIdle: the worker process must not be kept alive by this pool.
  adminPool ??= new pg.Pool({ connectionString: ctx.adminUrl, max: 4, allowExitOnIdle: true });
  return adminPool;
}

/**
 * A database of its own on the test server: a clone of the migrated template, or with
 * `{ empty: true }` one without any tables (for testing migrations themselves).
 * The dbTest fixture calls this; call it directly when a test needs a second database.
 */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  const ctx = inject("porticoTest");
  const name = `test_${uniqueSuffix()}`;
  const pool = admin(ctx);
  const template = opts.empty ? "template0" : ctx.templateDatabase;
  await pool.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  const url = new URL(ctx.adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE: a pool the test forgot to close must not make the drop fail.
    drop: async () => void (await pool.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

export const dbTest = test.extend<DbTestFixtures>({
  // eslint-disable-next-line no-empty-pattern -- vitest reads fixture dependencies from this pattern
  databaseUrl: async ({}, use) => {
    const database = await createTestDatabase();
    await use(database.url);
    await database.drop();
  },
  db: async ({ databaseUrl }, use) => {
    const db = createDb(databaseUrl, { max: 5 });
    await use(db);
    await db.$disconnect();
  },
  // eslint-disable-next-line no-empty-pattern
  redisUrl: async ({}, use) => {
    await use(inject("porticoTest").redisUrl);
  },
  // eslint-disable-next-line no-empty-pattern
  redisPrefix: async ({}, use) => {
    await use(`test:${uniqueSuffix().replaceAll("_", ":")}`);
  },
  redis: async ({ redisUrl, redisPrefix }, use) => {
    const redis = createRedis(redisUrl, "worker");
    await use(redis);
    await deleteKeys(redis, `${redisPrefix}*`);
    await redis.quit().catch(() => redis.disconnect());
  },
});

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== "0");
}
