import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startPostgres } from "../../scripts/lib/postgres";
import { startRedis } from "../../scripts/lib/redis-server";
import { applyMigrations, pendingSchemaDiff, readMigrationsList, SCHEMA_PATH } from "../../scripts/lib/schema-engine";
import type { PorticoTestContext } from "./provided-context";
import { acquireRunLock } from "./run-lock";
import { slotDataDir, slotPostgresPort, slotRedisPort } from "./test-slot";

// Runs once per `vitest run`, in the main process: one Postgres (54339) and one Redis (63809)
// with data under .portico/test (kept between runs: initdb is the slow part), and a template
// database migrated from prisma/migrations that db-test.ts clones for each test. The template
// is rebuilt whenever the migration files change (see prepareTemplate).

// PORTICO_TEST_SLOT=N gives parallel developers/sessions their own servers and data folder (test-slot.ts).
const PG_PORT = slotPostgresPort();
const REDIS_PORT = slotRedisPort();
const DATA_DIR = slotDataDir();
const TEMPLATE = "portico_template";
// Databases a killed run may have left behind: per-test clones and engine shadow databases.
const LEFTOVER = /^(test_|prisma_migrate_shadow_db_)/;

export default async function setup(project: TestProject) {
  const releaseLock = await acquireRunLock(path.join(DATA_DIR, "run.lock"), {
    onWait: (pid) => console.warn(`Another vitest run (pid ${pid}) is using the test Postgres/Redis; waiting for it…`),
  });
  const logs: string[] = [];
  const log = (line: string) => {
    logs.push(line);
    if (logs.length > 200) logs.shift();
  };

  const [postgres, redis] = await Promise.allSettled([
    // fsync off: test data is throwaway, and it makes CREATE DATABASE … TEMPLATE cheap.
    startPostgres({ dataDir: path.join(DATA_DIR, "pg"), port: PG_PORT, log, unsafeFast: true, maxConnections: 500 }),
    startRedis({ dataDir: path.join(DATA_DIR, "redis"), port: REDIS_PORT, log }),
  ]);
  const stop = async () => {
    try {
      await Promise.all([
        postgres.status === "fulfilled" ? postgres.value.stop() : undefined,
        redis.status === "fulfilled" ? redis.value.stop() : undefined,
      ]);
    } finally {
      releaseLock();
    }
  };
  if (postgres.status === "rejected" || redis.status === "rejected") {
    await stop();
    console.error(logs.join("\n"));
    failRun(postgres.status === "rejected" ? postgres.reason : (redis as PromiseRejectedResult).reason);
  }

  const adminUrl = postgres.value.urlFor("postgres");
  try {
    await prepareTemplate(adminUrl, postgres.value.urlFor(TEMPLATE), log);
    await flushRedis(redis.value.url);
  } catch (err) {
    await stop();
    console.error(logs.join("\n"));
    failRun(err);
  }

  const context: PorticoTestContext = {
    adminUrl,
    templateDatabase: TEMPLATE,
    defaultDatabaseUrl: postgres.value.url,
    redisUrl: redis.value.url,
  };
  project.provide("porticoTest", context);
  // Workers get these again from setup-env.ts; set here too for anything in this process.
  process.env.DATABASE_URL = context.defaultDatabaseUrl;
  process.env.REDIS_URL = context.redisUrl;

  return stop;
}

/**
 * Vitest 4 answers a throwing global setup with "No test files found, exiting with code 1" and
 * then exits 0 — a green `npm test` that ran nothing. Exit 1 ourselves instead.
 */
function failRun(err: unknown): never {
  console.error("\nThe test servers could not be started, so no test ran:", err instanceof Error ? err.message : err);
  process.exit(1);
}

/**
 * Drops what earlier runs left and (re)builds the template when prisma/migrations changed.
 * The template is keyed by a hash of the migration files (stored as the database comment,
 * written only after a successful migrate), so an unchanged history skips the WASM engine.
 */
async function prepareTemplate(adminUrl: string, templateUrl: string, log: (line: string) => void) {
  const fingerprint = await migrationsFingerprint();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string; comment: string | null }>(
      "SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database",
    );
    for (const { datname } of rows) {
      if (LEFTOVER.test(datname)) {
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(datname)} WITH (FORCE)`);
      }
    }
    if (rows.some((r) => r.datname === TEMPLATE && r.comment === fingerprint)) return;
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(TEMPLATE)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(TEMPLATE)}`);
    // applyMigrations closes every connection it opened: a session left on the template would
    // make each CREATE DATABASE … TEMPLATE fail with "being accessed by other users".
    await applyMigrations(templateUrl, log);
    await warnOnUnmigratedSchema(templateUrl);
    await admin.query(`COMMENT ON DATABASE ${admin.escapeIdentifier(TEMPLATE)} IS ${admin.escapeLiteral(fingerprint)}`);
  } finally {
    await admin.end();
  }
}

/** Tests run against the migrations, not schema.prisma: say so when the two disagree. */
async function warnOnUnmigratedSchema(templateUrl: string) {
  const sql = await pendingSchemaDiff(templateUrl);
  if (!sql) return;
  console.warn(
    "\n!!! prisma/schema.prisma has changes that no migration contains, so test databases lack them." +
      "\n!!! Run: DATABASE_URL=<a dev database> npx tsx scripts/migrate.ts dev --name <what_changed>" +
      `\n!!! Missing SQL:\n${sql}\n`,
  );
}

/** Changes when a migration or the schema changes (the schema only for the warning above). */
async function migrationsFingerprint(): Promise<string> {
  const list = await readMigrationsList();
  const hash = createHash("sha256");
  hash.update(await readFile(SCHEMA_PATH));
  for (const m of list.migrationDirectories) {
    hash.update(`${m.path}\0${m.migrationFile.content.value}\0`);
  }
  return `migrations:${hash.digest("hex")}`;
}

/** Keys from earlier runs are garbage (every test has its own prefix); keep the AOF small. */
async function flushRedis(url: string) {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    await client.flushall();
  } finally {
    client.disconnect();
  }
}
