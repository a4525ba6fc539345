import { describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { createExecutionsQueue, executionJobId } from "@/lib/queues";
import { runManually } from "@/server/services/executions/run-manually";
import { afterRunFailed, PROBE_SOURCE } from "./breaker/breaker";
import { seedLab } from "./events/testing/seed-lab";
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

  dbTest("queues a breaker probe whose delayed job was lost, once its cool-down has passed, and the instance comes back", async ({ db, redis, redisPrefix }) => {
    const queue = createExecutionsQueue(redis, redisPrefix);
    const deps = { db, queue, logger: testLogger };
    try {
      const lab = await seedLab(db);
      const { instance } = await lab.deployFor("acme");
      // A failed run that trips the breaker (3 in a row for this flow), then the probe scheduled
      // for a minute from now — as the executor does it.
      const { executionId: failedId } = await runManually(lab.scope, { instanceId: instance.id, flowKey: "manualTask", payload: {} }, queue);
      await queue.remove(failedId);
      await db.execution.update({ where: { id: failedId }, data: { status: "FAILED", errorClass: "INVALID_DATA", finishedAt: new Date() } });
      await db.instance.update({ where: { id: instance.id }, data: { consecutiveFailures: 3 } });
      await afterRunFailed(
        deps,
        { id: failedId, organizationId: lab.org.id, instanceId: instance.id, flowKey: "manualTask", triggerSource: "system" },
        { errorClass: "INVALID_DATA", message: "asked to fail" },
        { failures: 3, coolDownMs: 60_000 },
      );
      expect((await db.instance.findUniqueOrThrow({ where: { id: instance.id } })).status).toBe("NEEDS_ATTENTION");
      const probe = await db.execution.findFirstOrThrow({ where: { instanceId: instance.id, triggerSource: PROBE_SOURCE } });
      expect(await (await queue.getJob(probe.id))?.isDelayed()).toBe(true);

      // Redis loses the delayed job.
      await queue.remove(probe.id);
      expect(await queue.getJob(probe.id)).toBeUndefined();
      // Still cooling down: nothing to do yet.
      expect(await reconcileOnce(deps, { graceMs: 0, staleRunningMs: 0 })).toEqual({ requeued: 0 });
      // The cool-down passes (moved back in time rather than waited for).
      await db.execution.update({ where: { id: probe.id }, data: { queuedAt: new Date(Date.now() - 61_000) } });
      expect(await reconcileOnce(deps, { graceMs: 0, staleRunningMs: 0 })).toEqual({ requeued: 1 });
      expect(await (await queue.getJob(probe.id))?.isWaiting()).toBe(true);
      expect(await reconcileOnce(deps, { graceMs: 0, staleRunningMs: 0 })).toEqual({ requeued: 0 }); // the job is live now

      // The cause went away: the probe succeeds and closes the breaker.
      await db.instanceState.create({ data: { organizationId: lab.org.id, instanceId: instance.id, key: "healthy", value: true } });
      const executor = startTestExecutor({ db, redis, redisPrefix });
      try {
        expect((await waitForTerminal(db, probe.id)).status).toBe("SUCCEEDED");
        const until = Date.now() + 10_000;
        while ((await db.instance.findUniqueOrThrow({ where: { id: instance.id } })).status !== "ACTIVE") {
          if (Date.now() > until) throw new Error("the instance stayed NEEDS_ATTENTION");
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await executor.close();
      }
    } finally {
      await queue.close();
    }
  });

  dbTest("an open breaker with no probe recorded at all gets one after the cool-down", async ({ db, redis, redisPrefix }) => {
    const queue = createExecutionsQueue(redis, redisPrefix);
    const deps = { db, queue, logger: testLogger };
    try {
      const lab = await seedLab(db);
      const { instance } = await lab.deployFor("acme");
      const { executionId: failedId } = await runManually(lab.scope, { instanceId: instance.id, flowKey: "manualTask", payload: {} }, queue);
      await queue.remove(failedId);
      // The executor tripped the breaker and died before recording the probe.
      await db.execution.update({ where: { id: failedId }, data: { status: "FAILED", finishedAt: new Date(Date.now() - 120_000) } });
      await db.instance.update({ where: { id: instance.id }, data: { status: "NEEDS_ATTENTION", consecutiveFailures: 3 } });
      await db.alertEvent.create({
        data: { organizationId: lab.org.id, kind: "instance.breaker-open", instanceId: instance.id, message: "3 runs in a row failed", data: { coolDownMs: 60_000 } },
      });

      expect(await reconcileOnce(deps, { graceMs: 0, staleRunningMs: 0 })).toEqual({ requeued: 1 });
      const probe = await db.execution.findFirstOrThrow({ where: { instanceId: instance.id, triggerSource: PROBE_SOURCE } });
      expect(probe).toMatchObject({ status: "QUEUED", replayOfId: failedId });
      expect(await queue.getJob(probe.id)).toBeDefined();
      expect(await reconcileOnce(deps, { graceMs: 0, staleRunningMs: 0 })).toEqual({ requeued: 0 });
      expect(await db.execution.count({ where: { triggerSource: PROBE_SOURCE } })).toBe(1);
    } finally {
      await queue.close();
    }
  });
});
