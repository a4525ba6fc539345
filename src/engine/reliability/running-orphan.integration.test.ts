// The reconciler's RUNNING recovery (src/engine/reconcile.ts): a run left RUNNING whose job is
// gone (BullMQ failed it, or Redis lost it) is handed back once it has had no live job for
// `staleRunningMs` — not before, and never while its job still exists.
import { describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { executionJobId } from "@/lib/queues";
import { startSandbox } from "../../../sandbox/server";
import { reconcileOnce, type OrphanSightings } from "../reconcile";
import { postWebhook, sampleOrder, seedOrdersInstance, startTestExecutor, startTestFront, testLogger, waitForTerminal } from "../testing/walking-skeleton";

describe("reconciler and RUNNING runs", () => {
  dbTest("hands back a RUNNING run whose job is gone once it stayed so for the lock period, and the run completes", async ({ db, redis, redisUrl, redisPrefix }) => {
    const sandbox = await startSandbox({ port: 0 });
    const front = await startTestFront({ db, redisUrl, redisPrefix });
    try {
      const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
      const res = await postWebhook(front.url, token, sampleOrder("4242"));
      const id = res.body.executionId!;
      // An executor claimed it (attempt 1) and then its job vanished: the row is all that is left.
      await front.queue.remove(id);
      await db.execution.update({ where: { id }, data: { status: "RUNNING", attempt: 1, startedAt: new Date() } });

      const deps = { db, queue: front.queue, logger: testLogger };
      const sightings: OrphanSightings = new Map();
      // First sight only starts the clock: an executor may be finishing it right now.
      expect(await reconcileOnce(deps, { graceMs: 0, staleRunningMs: 60_000 }, sightings)).toEqual({ requeued: 0 });
      expect(sightings.get(id)?.attempt).toBe(1);
      expect(await reconcileOnce(deps, { graceMs: 0, staleRunningMs: 60_000 }, sightings)).toEqual({ requeued: 0 });
      // Past the lock period with still no job: handed back under the next attempt's job id.
      sightings.set(id, { attempt: 1, since: Date.now() - 61_000 });
      expect(await reconcileOnce(deps, { graceMs: 0, staleRunningMs: 60_000 }, sightings)).toEqual({ requeued: 1 });
      expect((await db.execution.findUniqueOrThrow({ where: { id } })).status).toBe("RETRYING");
      expect((await front.queue.getJob(executionJobId(id, 1)))?.data).toEqual({ executionId: id });

      const executor = startTestExecutor({ db, redis, redisPrefix });
      try {
        expect((await waitForTerminal(db, id)).status).toBe("SUCCEEDED");
      } finally {
        await executor.close();
      }
    } finally {
      await front.close();
      await sandbox.close();
    }
  });

  dbTest("leaves a RUNNING run alone while a job for it still exists", async ({ db, redisUrl, redisPrefix }) => {
    const sandbox = await startSandbox({ port: 0 });
    const front = await startTestFront({ db, redisUrl, redisPrefix });
    try {
      const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
      const id = (await postWebhook(front.url, token, sampleOrder("4343"))).body.executionId!;
      // RUNNING attempt 2 after a stalled re-delivery: its job is still the first one (id itself).
      await db.execution.update({ where: { id }, data: { status: "RUNNING", attempt: 2 } });
      const deps = { db, queue: front.queue, logger: testLogger };
      expect(await reconcileOnce(deps, { graceMs: 0, staleRunningMs: 0 })).toEqual({ requeued: 0 });
      expect((await db.execution.findUniqueOrThrow({ where: { id } })).status).toBe("RUNNING");
    } finally {
      await front.close();
      await sandbox.close();
    }
  });
});
