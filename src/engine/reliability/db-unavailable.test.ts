import { describe, expect, test } from "vitest";
import { Prisma } from "@/lib/db";
import { isDatabaseUnavailable } from "../db-errors";

// A run whose step result could not be stored because PostgreSQL was away must be retried as an
// infrastructure failure, not recorded as the integration's BUG (found by the Postgres restart test).
describe("isDatabaseUnavailable", () => {
  const known = (code: string, message = "x") => new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion: "7" });

  test("recognises Prisma's connection errors, also after crossing the sandbox thread boundary", () => {
    expect(isDatabaseUnavailable(known("P1001"))).toBe(true);
    expect(isDatabaseUnavailable(known("P2024"))).toBe(true);
    // Revived from the worker thread: a plain Error that kept its name and message.
    const revived = Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), { name: "PrismaClientKnownRequestError" });
    expect(isDatabaseUnavailable(revived)).toBe(true);
    expect(isDatabaseUnavailable(new Error("Connection terminated due to connection timeout"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("timeout exceeded when trying to connect"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("Client has encountered a connection error and is not queryable"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("\nInvalid `o.db.stepRun.upsert()` invocation in\n…\n\nServer has closed the connection."))).toBe(true);
  });

  test("leaves the run's own failures to the error classes", () => {
    expect(isDatabaseUnavailable(known("P2002", "Unique constraint failed"))).toBe(false);
    expect(isDatabaseUnavailable(new Error("Cannot read properties of undefined"))).toBe(false);
    // ctx.http's network failure carries its class: REMOTE_UNAVAILABLE, retried by the policy.
    expect(isDatabaseUnavailable(Object.assign(new Error("Connection terminated unexpectedly"), { errorClass: "REMOTE_UNAVAILABLE" }))).toBe(false);
    expect(isDatabaseUnavailable("boom")).toBe(false);
  });
});
