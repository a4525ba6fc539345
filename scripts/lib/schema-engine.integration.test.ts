import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect } from "vitest";
import { createTestDatabase, dbTest } from "@/test/db-test";
import {
  applyMigrations,
  createMigration,
  MIGRATIONS_DIR,
  pendingSchemaDiff,
  readMigrationsList,
  resetDatabase,
  SCHEMA_PATH,
} from "./schema-engine";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function emptyDatabase(): Promise<string> {
  const database = await createTestDatabase({ empty: true });
  cleanups.push(database.drop);
  return database.url;
}

/** A scratch copy of prisma/ so a test can change the schema without touching the repo. */
async function scratchPrisma(): Promise<{ schemaPath: string; migrationsDir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "portico-migrate-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const schemaPath = path.join(dir, "schema.prisma");
  const migrationsDir = path.join(dir, "migrations");
  await cp(SCHEMA_PATH, schemaPath);
  await cp(MIGRATIONS_DIR, migrationsDir, { recursive: true });
  return { schemaPath, migrationsDir };
}

async function tables(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

describe("migrations through the WASM schema engine", () => {
  dbTest("deploy on an empty database applies every migration, and a second deploy applies nothing", async () => {
    const url = await emptyDatabase();
    const all = (await readMigrationsList()).migrationDirectories.map((m) => m.path);

    expect(await applyMigrations(url)).toEqual(all);
    expect(await applyMigrations(url)).toEqual([]);
    expect(await tables(url)).toEqual(expect.arrayContaining(["_prisma_migrations", "Organization", "Execution"]));
  });

  dbTest("the committed migrations match prisma/schema.prisma", async ({ databaseUrl }) => {
    // Fails when someone edits the schema without running `scripts/migrate.ts dev --name …`.
    expect(await pendingSchemaDiff(databaseUrl)).toBe("");
  });

  dbTest("dev turns a new schema column into the next migration, then reports no changes", async () => {
    const url = await emptyDatabase();
    const scratch = await scratchPrisma();
    const schema = await readFile(scratch.schemaPath, "utf8");
    await writeFile(
      scratch.schemaPath,
      schema.replace(/(model Customer \{\n)/, "$1  nickname String?\n"),
    );

    const first = await createMigration(url, "customer_nickname", undefined, scratch);
    expect(first.appliedBefore.length).toBeGreaterThan(0); // the existing history, applied first
    expect(first.created).toMatch(/^\d{14}_customer_nickname$/);
    const sql = await readFile(path.join(scratch.migrationsDir, first.created!, "migration.sql"), "utf8");
    expect(sql).toContain(`ALTER TABLE "Customer" ADD COLUMN     "nickname" TEXT`);
    expect(await readFile(path.join(scratch.migrationsDir, "migration_lock.toml"), "utf8")).toContain(
      'provider = "postgresql"',
    );

    const again = await createMigration(url, "nothing", undefined, scratch);
    expect(again).toEqual({ appliedBefore: [], created: null });
    expect((await readdir(scratch.migrationsDir)).filter((n) => n.endsWith("_nothing"))).toEqual([]);
  });

  dbTest("reset drops data and tables, then re-applies the migrations", async ({ databaseUrl, db }) => {
    await db.organization.create({ data: { name: "Doomed", slug: "doomed" } });
    await db.$disconnect();
    const extra = new pg.Client({ connectionString: databaseUrl });
    await extra.connect();
    await extra.query('CREATE TABLE "Stray" (id int)');
    await extra.end();

    const applied = await resetDatabase(databaseUrl);

    expect(applied.length).toBeGreaterThan(0);
    expect(await tables(databaseUrl)).not.toContain("Stray");
    expect(await db.organization.count()).toBe(0);
  });
});
