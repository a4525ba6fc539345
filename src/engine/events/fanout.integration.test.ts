import pg from "pg";
import { afterEach, describe, expect, vi } from "vitest";
import { hotPool, type Db } from "@/lib/db";
import { createExecutionsQueue } from "@/lib/queues";
import { createRedis } from "@/lib/redis";
import { dbTest } from "@/test/db-test";
import { insertEventExecutions, newExecutionId } from "../ingest/execution-batch";
import { reconcileOnce } from "../reconcile";
import { startExecutor } from "../executor/start-executor";
import { startTestFront, testLogger, type TestFront } from "../testing/walking-skeleton";
import { seedFanout } from "./testing/seed-fanout";

// Reliability plan L3 `fanout`: one app event → every subscribed instance of a customer, in a
// constant number of database round trips (one multi-row INSERT for all runs, one addBulk).
// FANOUT_INSTANCES scales it up (default 200).

const INSTANCES = Number(process.env.FANOUT_INSTANCES ?? 200);

afterEach(() => {
  vi.restoreAllMocks();
});

async function postEvent(front: TestFront, apiKey: string, body: unknown) {
  const res = await fetch(`${front.url}/api/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { executions: { instanceId: string; executionId: string }[] } };
}

/** SQL statements sent by this process (Prisma's adapter and the plain `pg` pools both go through pg.Client). */
function countStatements() {
  const spy = vi.spyOn(pg.Client.prototype, "query");
  return {
    take() {
      const n = spy.mock.calls.length;
      spy.mockClear();
      return n;
    },
  };
}

async function waitAllSucceeded(db: Db, ids: string[], deadlineMs: number) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const done = await db.execution.count({ where: { id: { in: ids }, status: { in: ["SUCCEEDED", "FAILED", "CANCELLED"] } } });
    if (done === ids.length) return;
    if (Date.now() > until) throw new Error(`${done}/${ids.length} runs terminal after ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe(`L3 fanout: one event to ${INSTANCES} subscribed instances`, () => {
  dbTest("records one run per instance in a constant number of statements, queues each, runs each to SUCCEEDED; the re-sent event starts none", async ({ db, redis, redisUrl, redisPrefix }) => {
    const { lab, instanceIds } = await seedFanout(db, INSTANCES);
    const front = await startTestFront({ db, redisUrl, redisPrefix });
    try {
      const event = { customer: "acme", type: "order.created", payload: { order: 42 }, idempotencyKey: "evt-fanout-1" };
      // Warm-up (the key's lastUsedAt is written at most once a minute): an event nobody listens to.
      expect(await postEvent(front, lab.apiKey, { customer: "acme", type: "nobody.listens" })).toEqual({ status: 202, body: { executions: [] } });

      const statements = countStatements();
      const res = await postEvent(front, lab.apiKey, event);
      const sent = statements.take();
      expect(res.status).toBe(202);
      const runs = res.body.executions;
      expect(runs.map((r) => r.instanceId).sort()).toEqual([...instanceIds].sort());
      const ids = runs.map((r) => r.executionId);
      expect(new Set(ids).size).toBe(INSTANCES);
      // Constant, whatever INSTANCES is: API key, customer, instances, versions, one INSERT (+ slack
      // for the adapter's own statements). One by one it was ≥ 2 per instance.
      expect(sent).toBeLessThanOrEqual(6);

      const rows = await db.execution.findMany({ where: { customer: { externalId: "acme" } } });
      expect(rows).toHaveLength(INSTANCES);
      for (const row of rows) {
        expect(row).toMatchObject({ status: "QUEUED", triggerType: "EVENT", triggerSource: "event:order.created", flowKey: "onOrderCreated", idempotencyKey: "evt-fanout-1", contentType: "application/json" });
        expect(JSON.parse(Buffer.from(row.payload!).toString())).toEqual({ order: 42 });
      }
      // One job per run, jobId = executionId, data ids only.
      const jobs = await front.queue.getJobs(["waiting", "prioritized"]);
      expect(jobs.map((j) => j.id).sort()).toEqual([...ids].sort());
      for (const job of jobs) expect(job.data).toEqual({ executionId: job.id });

      // Re-sent with the same key (the vendor's retry): the same ids, no new row, no new job.
      statements.take();
      const again = await postEvent(front, lab.apiKey, event);
      const resent = statements.take();
      expect(resent).toBeLessThanOrEqual(7); // + one read of the first runs' ids
      expect(again.status).toBe(202);
      expect(again.body.executions.map((r) => r.executionId).sort()).toEqual([...ids].sort());
      expect(await db.execution.count({ where: { customer: { externalId: "acme" } } })).toBe(INSTANCES);
      expect(await front.queue.count()).toBe(INSTANCES);
      vi.restoreAllMocks();

      const executor = startExecutor({ db, redis, prefix: redisPrefix, logger: testLogger, concurrency: 8, outboundAllowlist: ["127.0.0.1"] });
      try {
        await waitAllSucceeded(db, ids, 50_000);
      } finally {
        await executor.close();
      }
      expect(await db.execution.count({ where: { id: { in: ids }, status: "SUCCEEDED" } })).toBe(INSTANCES);

      // Ledger check: every 202'd id terminal, one run per instance, and a re-send after the
      // runs finished still starts nothing.
      const late = await postEvent(front, lab.apiKey, event);
      expect(late.body.executions.map((r) => r.executionId).sort()).toEqual([...ids].sort());
      expect(await db.execution.count()).toBe(INSTANCES);
      expect(await front.queue.count()).toBe(0);
    } finally {
      await front.close();
    }
  }, 90_000);

  dbTest("when the addBulk fails after the commit the event is still 202, the reconciler queues every run, and so does a re-send with the key", async ({ db, redis, redisUrl, redisPrefix }) => {
    const n = 20;
    const { lab } = await seedFanout(db, n);
    // A producer on a port where no Redis listens: the rows commit, the add fails.
    const deadRedis = createRedis("redis://127.0.0.1:9", "producer");
    deadRedis.on("error", () => {});
    const front = await startTestFront({ db, redisUrl, redisPrefix, producer: deadRedis });
    const liveFront = await startTestFront({ db, redisUrl, redisPrefix });
    const queue = createExecutionsQueue(redis, redisPrefix);
    try {
      const res = await postEvent(front, lab.apiKey, { customer: "acme", type: "order.created", payload: { order: 1 }, idempotencyKey: "evt-redis-down" });
      expect(res.status).toBe(202);
      const ids = res.body.executions.map((r) => r.executionId);
      expect(ids).toHaveLength(n);
      expect(await db.execution.count({ where: { id: { in: ids }, status: "QUEUED" } })).toBe(n);
      expect(await queue.count()).toBe(0);

      expect(await reconcileOnce({ db, queue, logger: testLogger }, { graceMs: 0 })).toEqual({ requeued: n });
      const jobs = await queue.getJobs(["waiting", "prioritized"]);
      expect(jobs.map((j) => j.id).sort()).toEqual([...ids].sort());

      // A vendor that re-sends the event (same key) once Redis is back re-adds the missing jobs
      // itself: the same ids, no new row.
      const event = { customer: "acme", type: "order.created", payload: { order: 2 }, idempotencyKey: "evt-resent" };
      const refused = await postEvent(front, lab.apiKey, event);
      expect(refused.status).toBe(202);
      const resent = await postEvent(liveFront, lab.apiKey, event);
      expect(resent.body.executions.map((r) => r.executionId).sort()).toEqual(refused.body.executions.map((r) => r.executionId).sort());
      expect(await db.execution.count()).toBe(2 * n);
      expect(await queue.count()).toBe(2 * n);
    } finally {
      await front.close();
      await liveFront.close();
      await queue.close();
    }
  });
  dbTest("a fan-out that fails in the middle records none of its runs (503), and the retry with the key records them all", async ({ db, redisUrl, redisPrefix }) => {
    const n = 20;
    const { lab, instanceIds } = await seedFanout(db, n);
    const front = await startTestFront({ db, redisUrl, redisPrefix });
    try {
      // PostgreSQL refuses the 15th instance's row (one by one, 14 runs would have stayed behind).
      await db.$executeRawUnsafe(`ALTER TABLE "Execution" ADD CONSTRAINT fanout_refuses CHECK ("instanceId" <> '${instanceIds[14]}') NOT VALID`);
      const event = { customer: "acme", type: "order.created", payload: { order: 3 }, idempotencyKey: "evt-half" };
      const failed = await postEvent(front, lab.apiKey, event);
      expect(failed.status).toBe(503);
      expect(await db.execution.count()).toBe(0);
      expect(await front.queue.count()).toBe(0);

      await db.$executeRawUnsafe(`ALTER TABLE "Execution" DROP CONSTRAINT fanout_refuses`);
      const retried = await postEvent(front, lab.apiKey, event);
      expect(retried.status).toBe(202);
      expect(retried.body.executions).toHaveLength(n);
      expect(await db.execution.count()).toBe(n);
      expect(await front.queue.count()).toBe(n);
    } finally {
      await front.close();
    }
  });
  dbTest("an instance upgraded since its flows were read makes the whole fan-out statement insert nothing (publishEvent reads again)", async ({ db }) => {
    const { lab, instanceIds } = await seedFanout(db, 3);
    const row = (instanceId: string, versionId: string) => ({
      id: newExecutionId(),
      instanceId,
      versionId,
      flowKey: "onOrderCreated",
      triggerSource: "event:order.created",
      contentType: "application/json",
      payload: Buffer.from("{}"),
      idempotencyKey: null,
      orderingKey: null,
    });
    const pool = hotPool(db)!;
    const rows = [row(instanceIds[0]!, lab.version.id), row(instanceIds[1]!, "a-version-it-no-longer-runs"), row(instanceIds[2]!, lab.version.id)];
    expect(await insertEventExecutions(pool, rows)).toBe("stale");
    expect(await db.execution.count()).toBe(0);
    const ok = await insertEventExecutions(pool, [rows[0]!, row(instanceIds[1]!, lab.version.id), rows[2]!]);
    expect(ok === "stale" ? ok : [...ok.values()]).toEqual(Array(3).fill({ status: "ACTIVE", created: true }));
  });
});
