import pg from "pg";
import { describe, expect, inject } from "vitest";
import type { Db } from "@/lib/db";
import { dbTest } from "./db-test";

async function currentDatabase(db: Db): Promise<string> {
  const rows = await db.$queryRaw<{ database: string }[]>`SELECT current_database() AS database`;
  return rows[0]!.database;
}

describe("dbTest fixture", () => {
  const seen: { database: string; prefix: string }[] = [];

  dbTest("gives a test its own migrated database and Redis prefix", async ({ db, redis, redisPrefix }) => {
    await db.organization.create({ data: { name: "First", slug: "same-slug" } });
    await redis.set(`${redisPrefix}:marker`, "first");
    const database = await currentDatabase(db);
    seen.push({ database, prefix: redisPrefix });
    expect(await db.organization.count()).toBe(1);
  });

  dbTest("a later test sees none of an earlier test's rows or keys", async ({ db, redis, redisPrefix }) => {
    // Same unique slug again: it would conflict if the database were shared.
    await db.organization.create({ data: { name: "Second", slug: "same-slug" } });
    expect(await db.organization.count()).toBe(1);

    const database = await currentDatabase(db);
    const first = seen[0]!;
    expect(database).not.toBe(first.database);
    expect(redisPrefix).not.toBe(first.prefix);
    expect(await redis.get(`${first.prefix}:marker`)).toBeNull(); // cleaned up after the first test
  });

  dbTest("the earlier test's database is dropped when it ends", async ({ databaseUrl }) => {
    const admin = new pg.Client({ connectionString: inject("porticoTest").adminUrl });
    await admin.connect();
    try {
      const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [seen[0]!.database]);
      expect(rowCount).toBe(0);
    } finally {
      await admin.end();
    }
    expect(new URL(databaseUrl).pathname).toMatch(/^\/test_/);
  });
});

describe.concurrent("dbTest fixture, concurrent tests", () => {
  for (const n of [1, 2, 3]) {
    dbTest(`concurrent test ${n} writes only to its own database`, async ({ db }) => {
      await db.organization.create({ data: { name: `Org ${n}`, slug: "shared" } });
      expect(await db.organization.findMany({ select: { name: true } })).toEqual([{ name: `Org ${n}` }]);
    });
  }
});
