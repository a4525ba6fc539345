import { describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { createDb } from "@/lib/db";
import { createRedis } from "@/lib/redis";
import { createExecutionsQueue } from "@/lib/queues";
import { startSandbox, type RunningSandbox } from "../../../sandbox/server";
import { reconcileOnce } from "../reconcile";
import { postWebhook, sampleOrder, seedOrdersInstance, startTestFront, testLogger, type TestFront } from "../testing/walking-skeleton";

// Ingest without an executor: what the webhook sender sees, what the ledger holds, what is queued.
const test = dbTest.extend<{ sandbox: RunningSandbox; front: TestFront }>({
  // eslint-disable-next-line no-empty-pattern
  sandbox: async ({}, use) => {
    const sandbox = await startSandbox({ port: 0 });
    await use(sandbox);
    await sandbox.close();
  },
  front: async ({ db, redisUrl, redisPrefix }, use) => {
    const front = await startTestFront({ db, redisUrl, redisPrefix, maxBytes: 4096 });
    await use(front);
    await front.close();
  },
});

describe("webhook ingest", () => {
  test("a webhook is committed as a QUEUED run of the instance's version and queued under the run's id", async ({ db, sandbox, front }) => {
    const { instance, token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const body = JSON.stringify(sampleOrder());
    const res = await postWebhook(front.url, token, body);

    expect(res.status).toBe(202);
    const id = res.body.executionId!;
    const ex = await db.execution.findUniqueOrThrow({ where: { id } });
    expect(ex).toMatchObject({ status: "QUEUED", instanceId: instance.id, versionId: instance.versionId, flowKey: "onOrder", triggerType: "WEBHOOK", contentType: "application/json" });
    expect(Buffer.from(ex.payload!).toString()).toBe(body);
    const job = await front.queue.getJob(id);
    expect(job?.data).toEqual({ executionId: id }); // ids only: never the payload
  });

  test("an unknown token gets 404 with no hint of what exists", async ({ front }) => {
    const res = await postWebhook(front.url, "x".repeat(43), { a: 1 });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "NOT_FOUND", message: "not found" } });
  });

  test("a body over the size limit gets 413 and nothing is recorded", async ({ db, sandbox, front }) => {
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const res = await postWebhook(front.url, token, JSON.stringify({ pad: "x".repeat(8_000) }));
    expect(res.status).toBe(413);
    expect(res.body.error?.code).toBe("PAYLOAD_TOO_LARGE");
    expect(await db.execution.count()).toBe(0);
  });

  test("the same Idempotency-Key twice returns the first run's id and queues one job", async ({ db, sandbox, front }) => {
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const first = await postWebhook(front.url, token, sampleOrder(), { "Idempotency-Key": "evt_1" });
    const again = await postWebhook(front.url, token, sampleOrder(), { "Idempotency-Key": "evt_1" });
    const other = await postWebhook(front.url, token, sampleOrder(), { "Idempotency-Key": "evt_2" });

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.executionId).toBe(first.body.executionId);
    expect(other.body.executionId).not.toBe(first.body.executionId);
    expect(await db.execution.count()).toBe(2);
    expect(await front.queue.getWaitingCount()).toBe(2);
  });

  test("the same Idempotency-Key with a different body is 409 and records nothing", async ({ db, sandbox, front }) => {
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const first = await postWebhook(front.url, token, sampleOrder("1001"), { "Idempotency-Key": "evt_1" });
    const reused = await postWebhook(front.url, token, sampleOrder("1002"), { "Idempotency-Key": "evt_1" });
    expect(first.status).toBe(202);
    expect(reused.status).toBe(409);
    expect(reused.body.error).toMatchObject({ code: "CONFLICT", message: "this Idempotency-Key was already used with a different body" });
    expect(await db.execution.count()).toBe(1);
    expect(await front.queue.getWaitingCount()).toBe(1);
    // The original body with its key is still the harmless repeat it was.
    const repeat = await postWebhook(front.url, token, sampleOrder("1001"), { "Idempotency-Key": "evt_1" });
    expect(repeat).toMatchObject({ status: 202, body: { executionId: first.body.executionId } });
  });

  test("a paused instance still accepts webhooks and holds them unqueued", async ({ db, sandbox, front }) => {
    const { instance, token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    await db.instance.update({ where: { id: instance.id }, data: { status: "PAUSED" } });
    const res = await postWebhook(front.url, token, sampleOrder());
    expect(res.status).toBe(202);
    expect((await db.execution.findUniqueOrThrow({ where: { id: res.body.executionId! } })).status).toBe("QUEUED");
    expect(await front.queue.getJob(res.body.executionId!)).toBeUndefined();
    // …and the reconciler leaves held runs alone.
    expect(await reconcileOnce({ db, queue: front.queue, logger: testLogger }, { graceMs: 0 })).toEqual({ requeued: 0 });
  });

  test("a deleted instance's webhook URL answers 404", async ({ db, sandbox, front }) => {
    const { instance, token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    await db.instance.update({ where: { id: instance.id }, data: { status: "DELETED", deletedAt: new Date() } });
    expect((await postWebhook(front.url, token, sampleOrder())).status).toBe(404);
  });

  test("when Redis refuses the job the sender gets 503; its Idempotency-Key finds the same run on retry, and the reconciler queues it", async ({ db, sandbox, redisUrl, redisPrefix }) => {
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    // Nothing listens on port 1: every add fails, as with Redis down (or full) after the commit.
    const deadRedis = createRedis("redis://127.0.0.1:1", "producer");
    const front = await startTestFront({ db, redisUrl, redisPrefix, producer: deadRedis });
    const live = createRedis(redisUrl, "producer");
    const queue = createExecutionsQueue(live, redisPrefix);
    const liveFront = await startTestFront({ db, redisUrl, redisPrefix });
    try {
      const key = { "idempotency-key": "order-503" };
      const refused = await fetch(`${front.url}/api/hooks/${token}`, { method: "POST", headers: { "content-type": "application/json", ...key }, body: JSON.stringify(sampleOrder()) });
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
      // The row stays (no 202 was given, but the sender's retry must not make a second run).
      const kept = await db.execution.findFirstOrThrow({ where: { idempotencyKey: "order-503" } });
      expect(kept.status).toBe("QUEUED");
      // Retried while Redis still refuses: 503 again, never a 202 without a job.
      expect((await postWebhook(front.url, token, sampleOrder(), key)).status).toBe(503);
      // Retried once Redis takes writes: the first run's id, now queued.
      const retried = await postWebhook(liveFront.url, token, sampleOrder(), key);
      expect(retried).toEqual({ status: 202, body: { executionId: kept.id } });
      expect((await queue.getJob(kept.id))?.data).toEqual({ executionId: kept.id });
      expect(await db.execution.count()).toBe(1);

      // A sender that never retries: the reconciler queues the kept row.
      const other = { "idempotency-key": "order-never-retried" };
      expect((await postWebhook(front.url, token, sampleOrder(), other)).status).toBe(503);
      const orphan = await db.execution.findFirstOrThrow({ where: { idempotencyKey: "order-never-retried" } });
      expect(await reconcileOnce({ db, queue, logger: testLogger }, { graceMs: 0 })).toEqual({ requeued: 1 });
      expect((await queue.getJob(orphan.id))?.data).toEqual({ executionId: orphan.id });
    } finally {
      await front.close();
      await liveFront.close();
      await queue.close();
      live.disconnect();
    }
  });

  test("without an Idempotency-Key a refused job leaves no row behind, so the sender's retry is the only run", async ({ db, sandbox, redisUrl, redisPrefix }) => {
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const deadRedis = createRedis("redis://127.0.0.1:1", "producer");
    const front = await startTestFront({ db, redisUrl, redisPrefix, producer: deadRedis });
    try {
      const res = await postWebhook(front.url, token, sampleOrder());
      expect(res.status).toBe(503);
      expect(res.body.error?.code).toBe("UNAVAILABLE");
      expect(await db.execution.count()).toBe(0);
    } finally {
      await front.close();
    }
  });

  test("with PostgreSQL unreachable the sender gets 503, never a 202", async ({ redisUrl, redisPrefix }) => {
    const deadDb = createDb("postgresql://postgres:x@127.0.0.1:1/none");
    const front = await startTestFront({ db: deadDb, redisUrl, redisPrefix });
    try {
      const res = await postWebhook(front.url, "t".repeat(43), sampleOrder());
      expect(res.status).toBe(503);
      expect(res.body.error?.code).toBe("UNAVAILABLE");
    } finally {
      await front.close();
      await deadDb.$disconnect();
    }
  });
});
