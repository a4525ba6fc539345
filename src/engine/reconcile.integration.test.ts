import { describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { executionJobId } from "@/lib/queues";
import { startSandbox, type RunningSandbox } from "../../sandbox/server";
import { reconcileOnce } from "./reconcile";
import { postWebhook, sampleOrder, seedOrdersInstance, startTestExecutor, startTestFront, testLogger, waitForTerminal, type TestFront } from "./testing/walking-skeleton";

const test = dbTest.extend<{ sandbox: RunningSandbox; front: TestFront }>({
  // eslint-disable-next-line no-empty-pattern
  sandbox: async ({}, use) => {
    const sandbox = await startSandbox({ port: 0 });
    await use(sandbox);
    await sandbox.close();
  },
  front: async ({ db, redisUrl, redisPrefix }, use) => {
    const front = await startTestFront({ db, redisUrl, redisPrefix });
    await use(front);
    await front.close();
  },
});

describe("reconciler", () => {
  test("re-queues a QUEUED run whose job is gone, and the run then completes", async ({ db, redis, redisPrefix, sandbox, front }) => {
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const res = await postWebhook(front.url, token, sampleOrder("7007"));
    const id = res.body.executionId!;
    // Redis lost the job (restarted empty, say): the row is all that is left.
    await front.queue.remove(id);
    expect(await front.queue.getJob(id)).toBeUndefined();

    const deps = { db, queue: front.queue, logger: testLogger };
    expect(await reconcileOnce(deps, { graceMs: 60_000 })).toEqual({ requeued: 0 }); // too young: its own add may be in flight
    expect(await reconcileOnce(deps, { graceMs: 0 })).toEqual({ requeued: 1 });
    expect(await reconcileOnce(deps, { graceMs: 0 })).toEqual({ requeued: 0 }); // the job exists now

    const executor = startTestExecutor({ db, redis, redisPrefix });
    try {
      expect((await waitForTerminal(db, id)).status).toBe("SUCCEEDED");
    } finally {
      await executor.close();
    }
  });

  test("re-queues a RETRYING run whose delayed job is gone, under the next attempt's job id", async ({ db, sandbox, front }) => {
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const res = await postWebhook(front.url, token, sampleOrder("8008"));
    const id = res.body.executionId!;
    await front.queue.remove(id);
    await db.execution.update({ where: { id }, data: { status: "RETRYING", attempt: 1, nextAttemptAt: new Date(Date.now() - 1_000) } });

    expect(await reconcileOnce({ db, queue: front.queue, logger: testLogger }, { graceMs: 0 })).toEqual({ requeued: 1 });
    expect((await front.queue.getJob(executionJobId(id, 1)))?.data).toEqual({ executionId: id });
  });
});
