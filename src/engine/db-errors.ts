import { Prisma } from "@/lib/db";

/** A unique index said no (Prisma P2002): e.g. a repeated idempotency key. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}

// What PostgreSQL being down, restarting or out of connections looks like through Prisma and
// adapter-pg: P1001 can't reach, P1002/P1008 timeouts, P1017 server closed the connection,
// P2024 pool timeout, P2037 too many connections; or the driver's own words in the message.
// P2028 "Unable to start a transaction in the given time": the pool had no free connection
// (an overloaded executor), which says nothing about the run either.
const UNAVAILABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2037"]);
const UNAVAILABLE_TEXT =
  /can't reach database server|ECONNREFUSED|ECONNRESET|terminating connection|connection terminated|server (?:has )?closed the connection|not queryable|connection (?:is )?(?:closed|ended|refused)|timed out fetching a new connection|the database system is (?:starting up|shutting down|in recovery mode)|57P0[1-3]/i;

// pg-pool's own words when it cannot get a connection; adapter-pg passes these through
// unwrapped (name "Error"), e.g. under heavy load or while the server restarts.
const POOL_TEXT = /timeout exceeded when trying to connect|Unable to start a transaction in the given time|Connection terminated (?:due to connection timeout|unexpectedly)|Client has encountered a connection error and is not queryable/;
// Prisma's message shape ("Invalid `db.x.y()` invocation … <cause>"), kept when the name is lost.
const PRISMA_INVOCATION = /Invalid `[^`]+` invocation/;

/**
 * Our own database could not be used — not something about the run. Matched by name and text as
 * well as by class: an error from a step write made in the host reaches the run's catch after
 * crossing the sandbox thread boundary as a plain Error that kept its name and message.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { name?: unknown; code?: unknown; message?: unknown; errorClass?: unknown };
  if (typeof e.errorClass === "string") return false; // classified by the SDK or ctx.http: the run's own failure
  const name = typeof e.name === "string" ? e.name : "";
  const message = typeof e.message === "string" ? e.message : "";
  // The executor's plain-pg hot path (executor/pg-errors.ts) names them so.
  if (name === "DatabaseUnavailableError") return true;
  if (!name.startsWith("PrismaClient"))
    return name === "Error" && (POOL_TEXT.test(message) || (PRISMA_INVOCATION.test(message) && UNAVAILABLE_TEXT.test(message)));
  if (name === "PrismaClientInitializationError") return true;
  if (typeof e.code === "string" && UNAVAILABLE_CODES.has(e.code)) return true;
  return UNAVAILABLE_TEXT.test(message) || POOL_TEXT.test(message);
}
