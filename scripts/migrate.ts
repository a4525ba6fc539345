// Migrations without the native Prisma engine (see scripts/lib/schema-engine.ts).
//
//   npx tsx scripts/migrate.ts dev --name <name>   new migration from prisma/schema.prisma, applied
//   npx tsx scripts/migrate.ts deploy              apply pending migrations
//   npx tsx scripts/migrate.ts reset [--force]     drop everything, re-apply all migrations
//   npx tsx scripts/migrate.ts status              pending migrations and unmigrated schema changes
//
// All read DATABASE_URL (e.g. `npm start` prints it; the demo database is
// postgresql://postgres:portico@127.0.0.1:54329/portico while the demo stack runs).

import { parseArgs } from "node:util";
import {
  applyMigrations,
  createMigration,
  pendingSchemaDiff,
  readMigrationsList,
  resetDatabase,
  openSchemaEngine,
} from "./lib/schema-engine";

const USAGE = "usage: npx tsx scripts/migrate.ts <dev --name <name> | deploy | reset [--force] | status>";

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string", short: "n" },
      force: { type: "boolean", default: false },
      verbose: { type: "boolean", short: "v", default: false },
    },
  });
  const command = positionals[0];
  const databaseUrl = process.env.DATABASE_URL;
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  if (!databaseUrl) {
    console.error("DATABASE_URL is not set (postgresql://user:password@host:port/database)");
    return 2;
  }
  const log = values.verbose ? (line: string) => console.error(line) : undefined;

  switch (command) {
    case "dev": {
      if (!values.name || !/^[A-Za-z0-9_]+$/.test(values.name)) {
        console.error("dev needs --name <name> (letters, digits, underscores)");
        return 2;
      }
      const { appliedBefore, created } = await createMigration(databaseUrl, values.name, log);
      for (const m of appliedBefore) console.log(`applied ${m}`);
      if (created === null) console.log("no changes: prisma/schema.prisma matches the migrations");
      else console.log(`created and applied prisma/migrations/${created}/migration.sql`);
      return 0;
    }
    case "deploy": {
      const applied = await applyMigrations(databaseUrl, log);
      if (applied.length === 0) console.log("no pending migrations");
      for (const m of applied) console.log(`applied ${m}`);
      return 0;
    }
    case "reset": {
      const host = new URL(databaseUrl).hostname;
      if (!values.force && !["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
        console.error(`refusing to reset a non-local database (${host}) without --force`);
        return 2;
      }
      const applied = await resetDatabase(databaseUrl, log);
      console.log(`reset; applied ${applied.length} migration(s)`);
      for (const m of applied) console.log(`applied ${m}`);
      return 0;
    }
    case "status": {
      const { engine, close } = await openSchemaEngine(databaseUrl, { log });
      try {
        const migrationsList = await readMigrationsList();
        const status = await engine.diagnoseMigrationHistory({
          migrationsList,
          optInToShadowDatabase: false,
          filters: { externalTables: [], externalEnums: [] },
        });
        console.log(JSON.stringify(status, null, 2));
      } finally {
        await close();
      }
      const diff = await pendingSchemaDiff(databaseUrl);
      console.log(diff ? `schema changes without a migration:\n${diff}` : "schema matches the migrations");
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
