// Errors of the executor's plain `pg` pool (db.ts hotPool) that mean "our database could not be
// used", re-thrown under one name that isDatabaseUnavailable (../db-errors.ts) knows: the run is
// then retried by BullMQ as an infrastructure failure, never charged to the run or the breaker.

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
// SQLSTATE: 08xxx connection exceptions, 57P01-03 shutdown / cannot connect now, 53300 too many connections.
const UNAVAILABLE_STATE = /^(?:08|57P0[1-3]|53300)/;
const UNAVAILABLE_TEXT =
  /timeout exceeded when trying to connect|Connection terminated|not queryable|Cannot use a pool after calling end|the database system is (?:starting up|shutting down|in recovery mode)|terminating connection/i;

export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

export function isPgUnavailable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e.code === "string" && (CONNECTION_CODES.has(e.code) || UNAVAILABLE_STATE.test(e.code))) return true;
  return typeof e.message === "string" && UNAVAILABLE_TEXT.test(e.message);
}

/** The error as DatabaseUnavailableError when it is one, else unchanged. */
export function asPgError(err: unknown): unknown {
  if (err instanceof DatabaseUnavailableError || !isPgUnavailable(err)) return err;
  return new DatabaseUnavailableError(`PostgreSQL is unavailable: ${(err as Error).message}`, { cause: err });
}
