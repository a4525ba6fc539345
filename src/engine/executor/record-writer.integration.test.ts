import { describe, expect } from "vitest";
import { hotPool } from "@/lib/db";
import { dbTest } from "@/test/db-test";
import { isDatabaseUnavailable } from "../db-errors";
import { seedOrdersInstance, testLogger } from "../testing/walking-skeleton";
import { asPgError } from "./pg-errors";
import { isRunTakenOver, RunTakenOverError } from "./classify";
import { RecordWriter } from "./record-writer";

describe("the group-commit record writer", () => {
  dbTest("steps and final statuses of many runs committed together each land on their own run; a bad write fails only itself", async ({ db }) => {
    const seeded = await seedOrdersInstance(db, { sandboxUrl: "http://127.0.0.1:9" });
    const base = {
      organizationId: seeded.org.id,
      instanceId: seeded.instance.id,
      customerId: seeded.customer.id,
      versionId: seeded.version.id,
      flowKey: "order-created",
      triggerType: "WEBHOOK" as const,
      status: "RUNNING" as const,
      attempt: 1,
    };
    const runs = await Promise.all(Array.from({ length: 20 }, () => db.execution.create({ data: base, select: { id: true } })));
    const writer = new RecordWriter(hotPool(db)!, testLogger);
    const now = new Date();
    const step = (executionId: string, i: number) =>
      writer.stepSucceeded({
        organizationId: seeded.org.id,
        executionId,
        seq: 1,
        name: "create order",
        output: JSON.stringify({ order: i, b: 1, a: 2 }),
        attempt: 1,
        startedAt: now,
        finishedAt: now,
      });

    // All queued in one turn: they go out together, with one write for a run that does not exist.
    const results = await Promise.allSettled([...runs.map((r, i) => step(r.id, i)), step("no-such-run", 99)]);
    expect(results.slice(0, 20).map((r) => r.status)).toEqual(Array(20).fill("fulfilled"));
    // Handed back as PostgreSQL stored it (jsonb orders keys), the shape a resumed attempt reads.
    expect(Object.keys((results[3] as PromiseFulfilledResult<Record<string, number>>).value)).toEqual(["a", "b", "order"]);
    expect(results[20]!.status).toBe("rejected");

    await Promise.all(
      runs.map((r, i) =>
        writer.succeeded({
          executionId: r.id,
          attempt: 1,
          maxAttempts: 5,
          finishedAt: new Date(),
          result: JSON.stringify({ ok: i }),
          reference: `R-${i}`,
          resetInstanceId: null,
          logs: [{ organizationId: seeded.org.id, executionId: r.id, level: "INFO", message: `done ${i}`, data: null, stepName: "create order", at: now }],
          exchanges: [],
        }),
      ),
    );
    const rows = await db.execution.findMany({
      where: { id: { in: runs.map((r) => r.id) } },
      select: { id: true, status: true, reference: true, maxAttempts: true, steps: { select: { output: true } }, logs: { select: { message: true } } },
    });
    for (const [i, r] of runs.entries()) {
      const row = rows.find((x) => x.id === r.id)!;
      expect(row).toMatchObject({ status: "SUCCEEDED", reference: `R-${i}`, maxAttempts: 5, logs: [{ message: `done ${i}` }] });
      expect(row.steps).toEqual([{ output: { order: i, b: 1, a: 2 } }]);
    }
  });

  dbTest("an attempt that lost its run to a newer one writes nothing: not its steps (it learns it was taken over), not its status, not its logs", async ({ db }) => {
    const seeded = await seedOrdersInstance(db, { sandboxUrl: "http://127.0.0.1:9" });
    const run = await db.execution.create({
      data: {
        organizationId: seeded.org.id,
        instanceId: seeded.instance.id,
        customerId: seeded.customer.id,
        versionId: seeded.version.id,
        flowKey: "order-created",
        triggerType: "WEBHOOK",
        status: "RUNNING",
        attempt: 2,
      },
    });
    const writer = new RecordWriter(hotPool(db)!, testLogger);
    // The newer attempt (2) has stored its first step; the old attempt (1) still thinks it runs.
    const at = new Date();
    await writer.stepSucceeded({ organizationId: seeded.org.id, executionId: run.id, seq: 1, name: "validate order", output: '{"by":2}', attempt: 2, startedAt: at, finishedAt: at });
    const stale = await writer
      .stepSucceeded({ organizationId: seeded.org.id, executionId: run.id, seq: 1, name: "validate order", output: '{"by":1}', attempt: 1, startedAt: at, finishedAt: at })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(RunTakenOverError);
    expect(isRunTakenOver(stale)).toBe(true);
    const log = { organizationId: seeded.org.id, executionId: run.id, level: "INFO", message: "from the old attempt", data: null, stepName: null, at };
    await writer.succeeded({ executionId: run.id, attempt: 1, maxAttempts: 3, finishedAt: new Date(), result: null, reference: null, resetInstanceId: null, logs: [log], exchanges: [] });
    expect((await db.execution.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("RUNNING");
    const steps = await db.stepRun.findMany({ where: { executionId: run.id } });
    expect(steps.map((st) => [st.seq, st.attempt, st.output])).toEqual([[1, 2, { by: 2 }]]);
    expect(await db.logEntry.count({ where: { executionId: run.id } })).toBe(0);
  });

  dbTest("a pool that cannot reach PostgreSQL fails as an infrastructure error (retried, never charged to the breaker)", async () => {
    const pg = await import("pg");
    const pool = new pg.default.Pool({ connectionString: "postgresql://nobody:x@127.0.0.1:9/none", connectionTimeoutMillis: 2_000 });
    pool.on("error", () => {});
    const writer = new RecordWriter(pool, testLogger);
    const err = await writer
      .succeeded({ executionId: "x", attempt: 1, maxAttempts: 3, finishedAt: new Date(), result: null, reference: null, resetInstanceId: null, logs: [], exchanges: [] })
      .catch((e: unknown) => e);
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(isDatabaseUnavailable(asPgError(new Error("timeout exceeded when trying to connect")))).toBe(true);
    await pool.end();
  });
});
