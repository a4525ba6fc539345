import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import type { ColumnType, SqlDriverAdapter, SqlQuery, SqlQueryable, SqlResultSet } from "@prisma/driver-adapter-utils";
import pg from "pg";

// The pg driver adapter as the WASM schema engine needs it. @prisma/adapter-pg 7.10 is built
// for Prisma Client's queries; the migrate engine also reads pg_catalog and asks for shadow
// databases, and two things break there (worked around below).

export function createEngineAdapterFactory(databaseUrl: string) {
  return new PrismaPg({ connectionString: databaseUrl, max: 2, Client: CharAsTextClient });
}

const PG_CHAR_OID = 18; // "char": pg_class.relkind, pg_constraint.contype, …
const PG_TEXT_OID = 25;
const COLUMN_TYPE_CHARACTER = 6; // ColumnTypeEnum.Character in @prisma/driver-adapter-utils

/**
 * The engine describes the schema by reading pg_catalog, whose one-byte `"char"` columns
 * @prisma/adapter-pg 7.10 rejects ("Column type 'char' could not be deserialized"); the engine
 * wants them typed Character. So the pg client reports them as text (which their text-format
 * value is) and remembers which columns they were, keyed by the rows array the adapter passes
 * through untouched; the adapter wrapper below then retypes those columns as Character.
 * Only the engine's own connections use this.
 */
const charColumnsByRows = new WeakMap<object, number[]>();

class CharAsTextClient extends pg.Client {
  // pg's query() has many overloads (callback or promise); we only post-process results.
  override query(...args: unknown[]): never {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === "function") {
      args[last] = (err: unknown, res: unknown) => callback(err, err ? res : charAsText(res));
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) return result.then(charAsText) as never;
    return result as never;
  }
}

function charAsText<T>(res: T): T {
  for (const r of Array.isArray(res) ? res : [res]) {
    const { fields, rows } = (r ?? {}) as { fields?: { dataTypeID: number }[]; rows?: object };
    const indexes: number[] = [];
    fields?.forEach((f, i) => {
      if (f.dataTypeID === PG_CHAR_OID) {
        f.dataTypeID = PG_TEXT_OID;
        indexes.push(i);
      }
    });
    if (indexes.length > 0 && rows) charColumnsByRows.set(rows, indexes);
  }
  return res;
}

function retypeCharColumns(result: SqlResultSet): SqlResultSet {
  const indexes = charColumnsByRows.get(result.rows);
  for (const i of indexes ?? []) result.columnTypes[i] = COLUMN_TYPE_CHARACTER as ColumnType;
  return result;
}

export function withCharColumns<T extends SqlQueryable & { startTransaction?: unknown }>(queryable: T): T {
  return new Proxy(queryable, {
    get(target, prop, receiver) {
      if (prop === "queryRaw") {
        return async (query: SqlQuery) => retypeCharColumns(await target.queryRaw(query));
      }
      if (prop === "startTransaction") {
        return async (...args: Parameters<SqlDriverAdapter["startTransaction"]>) =>
          withCharColumns(await (target as unknown as SqlDriverAdapter).startTransaction(...args));
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * A throwaway database on the same server, where the engine replays the migration history.
 * Not PrismaPg.connectToShadowDb(): it spreads `{ ...config, database }`, and pg lets a
 * connectionString win over `database`, so the "shadow" would be the real database.
 */
export async function connectToShadowDb(databaseUrl: string): Promise<SqlDriverAdapter> {
  const name = `prisma_migrate_shadow_db_${randomUUID().replaceAll("-", "")}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const adapter = await createEngineAdapterFactory(url.toString()).connect();
  let dropped: Promise<void> | undefined;
  const dispose = () =>
    (dropped ??= (async () => {
      await adapter.dispose();
      const cleanup = new pg.Client({ connectionString: databaseUrl });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    })());
  return new Proxy(adapter, {
    get: (target, prop, receiver) =>
      prop === "dispose" ? dispose : (Reflect.get(target, prop, receiver) as unknown),
  });
}
