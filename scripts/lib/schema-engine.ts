import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import type { MigrationList, SchemaEngine, SchemaFilter } from "@prisma/schema-engine-wasm";
import { connectToShadowDb, createEngineAdapterFactory, withCharColumns } from "./schema-engine-adapter";

// Prisma's migrate engine, run as WASM over a pg driver adapter. The Prisma CLI's `migrate`
// needs the native schema-engine binary, which cannot be downloaded here, so every migration
// command goes through this module (scripts/migrate.ts is its CLI). The on-disk layout
// (prisma/migrations/<timestamp>_<name>/migration.sql, migration_lock.toml) and the
// _prisma_migrations table are exactly Prisma's, so the stock CLI can take over later.

export const SCHEMA_PATH = path.resolve("prisma/schema.prisma");
export const MIGRATIONS_DIR = path.resolve("prisma/migrations");

export type Log = (line: string) => void;

export interface EngineOptions {
  schemaPath?: string;
  migrationsDir?: string;
  log?: Log;
}

const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

type SchemaEngineModule = typeof import("@prisma/schema-engine-wasm");
let loaded: Promise<SchemaEngineModule> | undefined;
let lastPanic: string | undefined;

/**
 * The package's entry does `import * as wasm from "./x.wasm"`, which Node 20 cannot load, so we
 * do what that entry does by hand: instantiate the .wasm with the JS glue as its import object,
 * then hand the instance back to the glue. Once per process: the glue keeps the instance in a
 * module-level variable.
 */
function loadSchemaEngine(): Promise<SchemaEngineModule> {
  loaded ??= (async () => {
    // The glue reports Rust panics through this global before the call traps.
    (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY = {
      set_message: (message: string) => {
        lastPanic = message;
        // A panic can surface as an uncaught trap rather than a rejected promise: say why first.
        console.error(`schema engine panicked: ${message}`);
      },
    };
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve("@prisma/schema-engine-wasm"));
    // By absolute file URL: tsx can evaluate this file from a data: URL (when an ESM script
    // imports it), where a bare specifier in import() does not resolve.
    const glue = (await import(pathToFileURL(path.join(dir, "schema_engine_bg.js")).href)) as unknown as SchemaEngineModule & {
      __wbg_set_wasm(exports: WebAssembly.Exports): void;
    };
    const bytes = await readFile(path.join(dir, "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, {
      "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return loaded;
}

/** Opens an engine on databaseUrl; always `close()` it (it holds a pg pool). */
export async function openSchemaEngine(
  databaseUrl: string,
  opts: EngineOptions = {},
): Promise<{ engine: SchemaEngine; close(): Promise<void> }> {
  const { SchemaEngine } = await loadSchemaEngine();
  const schemaPath = opts.schemaPath ?? SCHEMA_PATH;
  const datamodel = await readFile(schemaPath, "utf8");
  const log = opts.log ?? (() => {});
  // Track every connection the engine opens so close() can end them: freeing the engine does
  // not, and a lingering session on a template database makes CREATE DATABASE … TEMPLATE fail.
  const inner = createEngineAdapterFactory(databaseUrl);
  const opened: SqlDriverAdapter[] = [];
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => remember(await inner.connect()),
    connectToShadowDb: async () => remember(await connectToShadowDb(databaseUrl)),
  };
  const remember = (adapter: SqlDriverAdapter) => {
    opened.push(adapter);
    return withCharColumns(adapter);
  };
  const engine = await SchemaEngine.new(
    { datamodels: [[schemaPath, datamodel]] },
    (line: string) => log(formatEngineLog(line)),
    bindMigrationAwareSqlAdapterFactory(tracked),
  );
  let closed: Promise<void> | undefined;
  return {
    engine,
    close: () =>
      (closed ??= (async () => {
        engine.free();
        // dispose() twice ends a pg pool twice, which throws: the engine may already have done it.
        await Promise.all(opened.map((a) => a.dispose().catch(() => {})));
      })()),
  };
}

/** Reads prisma/migrations the way the Prisma CLI does (sorted directory names, migration.sql each). */
export async function readMigrationsList(migrationsDir = MIGRATIONS_DIR): Promise<MigrationList> {
  const lockPath = path.join(migrationsDir, "migration_lock.toml");
  const lockfile = {
    path: "migration_lock.toml",
    content: existsSync(lockPath) ? await readFile(lockPath, "utf8") : null,
  };
  const entries = existsSync(migrationsDir) ? await readdir(migrationsDir, { withFileTypes: true }) : [];
  const migrationDirectories = await Promise.all(
    entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort((a, b) => a.localeCompare(b))
      .map(async (name) => ({
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: await readFile(path.join(migrationsDir, name, "migration.sql"), "utf8").then(
            (value) => ({ tag: "ok" as const, value }),
            (err: Error) => ({ tag: "error" as const, value: err.message }),
          ),
        },
      })),
  );
  return { baseDir: migrationsDir, lockfile, shadowDbInitScript: "", migrationDirectories };
}

/**
 * Applies every migration under prisma/migrations not yet recorded in _prisma_migrations
 * (what `prisma migrate deploy` does). Returns the names applied; [] when up to date.
 */
export async function applyMigrations(databaseUrl: string, log?: Log, opts: EngineOptions = {}): Promise<string[]> {
  return withEngine(databaseUrl, { log, ...opts }, async (engine) => {
    const migrationsList = await readMigrationsList(opts.migrationsDir);
    const out = await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    return out.appliedMigrationNames;
  });
}

export interface CreateMigrationResult {
  /** Migrations that were pending on the database and got applied first. */
  appliedBefore: string[];
  /** The new migration's directory name, or null when the schema matches the migrations. */
  created: string | null;
}

/**
 * `prisma migrate dev --name <name>`: bring the dev database up to date, diff the migration
 * history (replayed in a throwaway shadow database on the same server) against the schema,
 * write the difference as a new migration and apply it.
 */
export async function createMigration(
  databaseUrl: string,
  name: string,
  log?: Log,
  opts: EngineOptions = {},
): Promise<CreateMigrationResult> {
  const migrationsDir = opts.migrationsDir ?? MIGRATIONS_DIR;
  const schemaPath = opts.schemaPath ?? SCHEMA_PATH;
  return withEngine(databaseUrl, { log, ...opts }, async (engine) => {
    let migrationsList = await readMigrationsList(migrationsDir);
    const diagnose = async () => {
      const diagnostic = await engine.devDiagnostic({ migrationsList, filters: NO_FILTER });
      if (diagnostic.action.tag === "reset") {
        throw new Error(
          `The database does not match the migration history: ${diagnostic.action.reason}\n` +
            "Run `npx tsx scripts/migrate.ts reset` (drops all data) and try again.",
        );
      }
    };
    await diagnose();
    const appliedBefore = (await engine.applyMigrations({ migrationsList, filters: NO_FILTER })).appliedMigrationNames;
    // createMigration gets no shadow database of its own in the WASM engine: it reads the
    // schema the history produces from a cache that devDiagnostic fills, but only when the
    // database is up to date. So diagnose again once pending migrations are applied.
    if (appliedBefore.length > 0) await diagnose();

    const out = await engine.createMigration({
      draft: false,
      migrationName: name,
      migrationsList,
      schema: { files: [{ path: schemaPath, content: await readFile(schemaPath, "utf8") }] },
      filters: NO_FILTER,
    });
    if (out.migrationScript === null) return { appliedBefore, created: null };

    const dir = path.join(migrationsDir, out.generatedMigrationName);
    if (existsSync(dir)) throw new Error(`migration directory already exists: ${dir}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `migration.${out.extension}`), out.migrationScript, "utf8");
    await writeFile(
      path.join(migrationsDir, "migration_lock.toml"),
      "# Please do not edit this file manually\n" +
        "# It should be added in your version-control system (e.g., Git)\n" +
        `provider = "${out.connectorType}"\n`,
      "utf8",
    );
    migrationsList = await readMigrationsList(migrationsDir);
    await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    return { appliedBefore, created: out.generatedMigrationName };
  });
}

/** Drops every object in the database, then applies all migrations again. */
export async function resetDatabase(databaseUrl: string, log?: Log, opts: EngineOptions = {}): Promise<string[]> {
  await withEngine(databaseUrl, { log, ...opts }, (engine) => engine.reset({ filter: NO_FILTER }));
  return applyMigrations(databaseUrl, log, opts);
}

/** SQL that takes the migration history to the current schema ("" when they match). */
export async function pendingSchemaDiff(databaseUrl: string, opts: EngineOptions = {}): Promise<string> {
  const schemaPath = opts.schemaPath ?? SCHEMA_PATH;
  return withEngine(databaseUrl, opts, async (engine) => {
    const out = await engine.diff({
      from: { tag: "migrations", ...(await readMigrationsList(opts.migrationsDir)) },
      to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content: await readFile(schemaPath, "utf8") }] },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    const sql = (out.stdout ?? "").trim();
    return sql === "-- This is an empty migration." ? "" : sql;
  });
}

async function withEngine<T>(databaseUrl: string, opts: EngineOptions, run: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const { engine, close } = await openSchemaEngine(databaseUrl, opts);
  try {
    return await run(engine).catch((err: unknown) => {
      throw toError(err);
    });
  } finally {
    await close();
  }
}

/** The engine rejects with plain objects ({ message, error_code, meta }); make them Errors. */
function toError(err: unknown): Error {
  if (lastPanic) {
    // A panic leaves the WASM instance unusable; the process should exit after reporting it.
    const message = `schema engine panicked: ${lastPanic}`;
    lastPanic = undefined;
    return Object.assign(new Error(message), { cause: err });
  }
  if (err instanceof Error) return err;
  if (err && typeof err === "object") {
    const o = err as { message?: unknown; error_code?: unknown; errorCode?: unknown };
    const code = o.error_code ?? o.errorCode;
    const message = typeof o.message === "string" ? o.message : JSON.stringify(err);
    return Object.assign(new Error(code ? `${String(code)}: ${message}` : message), { cause: err });
  }
  return new Error(String(err));
}

function formatEngineLog(line: string): string {
  try {
    const parsed = JSON.parse(line) as { level?: string; fields?: { message?: string } };
    if (parsed.fields?.message) return `[schema-engine ${parsed.level ?? "info"}] ${parsed.fields.message}`;
  } catch {
    // not JSON: pass through
  }
  return `[schema-engine] ${line}`;
}
