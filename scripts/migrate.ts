// Migrations without the native Prisma engine (see scripts/lib/schema-engine.ts).
//
//   npx tsx scripts/migrate.ts dev --name <name>   new migration from prisma/schema.prisma, applied
//   npx tsx scripts/migrate.ts deploy              apply pending migrations
//   npx tsx scripts/migrate.ts reset [--force]     drop everything, re-apply all migrations
//   npx tsx scripts/migrate.ts status              pending migrations and unmigrated schema changes
//
// All read DATABASE_URL (the demo database is postgresql://postgres:portico@127.0.0.1:54329/portico
// while `npm start` runs). `dev` without DATABASE_URL uses a fresh database on a scratch
// Postgres under .portico/migrate, which is all that making a migration needs.

import net from "node:net";
import { parseArgs } from "node:util";
import pg from "pg";
import { startPostgres } from "./lib/postgres";
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
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  const log = values.verbose ? (line: string) => console.error(line) : undefined;
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl && command === "dev") {
    // Making a migration needs a database but not a particular one: use a fresh, empty one
    // on a scratch server, so a schema change never needs the demo stack running.
    const scratch = await scratchDatabase(log);
    try {
      return await run(command, scratch.url, values, log);
    } finally {
      await scratch.stop();
    }
  }
  if (!databaseUrl) {
    console.error("DATABASE_URL is not set (postgresql://user:password@host:port/database)");
    return 2;
  }
  return run(command, databaseUrl, values, log);
}

async function run(
  command: string,
  databaseUrl: string,
  values: { name?: string; force?: boolean },
  log: ((line: string) => void) | undefined,
): Promise<number> {

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

async function scratchDatabase(log?: (line: string) => void): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await new Promise<number>((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
  const server = await startPostgres({ dataDir: ".portico/migrate/pg", port, log, unsafeFast: true });
  const name = `migrate_dev_${Date.now()}`;
  const admin = new pg.Client({ connectionString: server.urlFor("postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  console.log(`DATABASE_URL not set: using a fresh database on a scratch Postgres (.portico/migrate/pg)`);
  return {
    url: server.urlFor(name),
    stop: async () => {
      const cleanup = new pg.Client({ connectionString: server.urlFor("postgres") });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => cleanup.end());
      await server.stop();
    },
  };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
