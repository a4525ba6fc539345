import { describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { postWebhook, sampleOrder, seedOrdersInstance, startTestFront, type TestFront } from "../testing/walking-skeleton";

// The hot path: concurrent deliveries share one INSERT and one addBulk, and the token look-up is
// cached in the front. Neither may change an answer (see hook-targets.ts, execution-batch.ts).
const test = dbTest.extend<{ front: TestFront }>({
  front: async ({ db, redisUrl, redisPrefix }, use) => {
    const front = await startTestFront({ db, redisUrl, redisPrefix });
    await use(front);
    await front.close();
  },
});

const NO_SANDBOX = "http://127.0.0.1:9"; // nothing runs here: no executor

describe("webhook ingest, batched and cached", () => {
  test("concurrent deliveries each get a distinct id that is a committed row with its own id-only job", async ({ db, front }) => {
    const { instance, token } = await seedOrdersInstance(db, { sandboxUrl: NO_SANDBOX });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => postWebhook(front.url, token, sampleOrder(String(2000 + i)))));

    expect(results.map((r) => r.status)).toEqual(results.map(() => 202));
    const ids = results.map((r) => r.body.executionId!);
    expect(new Set(ids).size).toBe(60);
    const rows = await db.execution.findMany({ where: { id: { in: ids } }, select: { id: true, payload: true, instanceId: true, status: true } });
    expect(rows).toHaveLength(60);
    for (const [i, id] of ids.entries()) {
      const row = rows.find((r) => r.id === id)!;
      expect(row).toMatchObject({ instanceId: instance.id, status: "QUEUED" });
      expect(JSON.parse(Buffer.from(row.payload!).toString())).toEqual(sampleOrder(String(2000 + i)));
      expect((await front.queue.getJob(id))?.data).toEqual({ executionId: id });
    }
    expect(await front.queue.getWaitingCount()).toBe(60);
  });

  test("the same Idempotency-Key sent concurrently records one run, answers everyone with its id, queues one job", async ({ db, front }) => {
    const { token } = await seedOrdersInstance(db, { sandboxUrl: NO_SANDBOX });
    const first = await postWebhook(front.url, token, sampleOrder(), { "Idempotency-Key": "evt_before" });
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () => postWebhook(front.url, token, sampleOrder(), { "Idempotency-Key": "evt_same" })),
      ...Array.from({ length: 5 }, () => postWebhook(front.url, token, sampleOrder(), { "Idempotency-Key": "evt_before" })),
    ]);

    expect(results.map((r) => r.status)).toEqual(results.map(() => 202));
    const same = new Set(results.slice(0, 20).map((r) => r.body.executionId));
    expect(same.size).toBe(1);
    expect(results.slice(20).map((r) => r.body.executionId)).toEqual(Array(5).fill(first.body.executionId));
    expect(await db.execution.count()).toBe(2);
    expect(await front.queue.getWaitingCount()).toBe(2);
  });

  test("a cached token follows its instance: paused holds, upgraded records the new version, deleted answers 404", async ({ db, front }) => {
    const { instance, version, token } = await seedOrdersInstance(db, { sandboxUrl: NO_SANDBOX });
    expect((await postWebhook(front.url, token, sampleOrder("1"))).status).toBe(202); // now cached

    await db.instance.update({ where: { id: instance.id }, data: { status: "PAUSED" } });
    const held = await postWebhook(front.url, token, sampleOrder("2"));
    expect(held.status).toBe(202);
    expect(await front.queue.getJob(held.body.executionId!)).toBeUndefined();

    const v = await db.integrationVersion.findUniqueOrThrow({ where: { id: version.id } });
    const next = await db.integrationVersion.create({
      data: { organizationId: v.organizationId, integrationId: v.integrationId, number: v.number + 1, manifest: v.manifest ?? {}, bundle: v.bundle, sha256: `${v.sha256}-next` },
    });
    await db.instance.update({ where: { id: instance.id }, data: { status: "ACTIVE", versionId: next.id } });
    const upgraded = await postWebhook(front.url, token, sampleOrder("3"));
    expect(upgraded.status).toBe(202);
    expect(await db.execution.findUniqueOrThrow({ where: { id: upgraded.body.executionId! } })).toMatchObject({ versionId: next.id, status: "QUEUED" });
    expect((await front.queue.getJob(upgraded.body.executionId!))?.data).toEqual({ executionId: upgraded.body.executionId });

    await db.instance.update({ where: { id: instance.id }, data: { status: "DELETED", deletedAt: new Date() } });
    expect((await postWebhook(front.url, token, sampleOrder("4"))).status).toBe(404);
    expect(await db.execution.count({ where: { instanceId: instance.id } })).toBe(3);
  });
});
