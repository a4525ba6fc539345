import { describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { createExecutionsQueue } from "@/lib/queues";
import { publishEvent } from "../events/publish-event";
import { seedLab } from "../events/testing/seed-lab";
import { startTestExecutor, testLogger, waitForTerminal } from "../testing/walking-skeleton";

describe("ordering keys", () => {
  dbTest("runs with the same key run one at a time in arrival order, across executors, while keys are delivered concurrently", async ({ db, redis, redisPrefix }) => {
    const queue = createExecutionsQueue(redis, redisPrefix);
    const executors = [startTestExecutor({ db, redis, redisPrefix }), startTestExecutor({ db, redis, redisPrefix })];
    try {
      const lab = await seedLab(db);
      await lab.deployFor("acme");
      const deps = { db, queue, logger: testLogger };
      const keys = ["k1", "k2", "k3"];
      const ids: string[] = [];
      // Each key's events in order; the keys concurrently with each other.
      await Promise.all(
        keys.map(async (key) => {
          for (let n = 1; n <= 4; n++) {
            const res = await publishEvent(deps, lab.org.id, { customer: "acme", type: "seq.item", payload: { key, n } });
            ids.push(...res.executions.map((e) => e.executionId));
          }
        }),
      );
      expect(ids).toHaveLength(12);
      for (const id of ids) expect(await waitForTerminal(db, id, 60_000)).toMatchObject({ status: "SUCCEEDED" }); // the flow fails a run out of order

      const runs = await db.execution.findMany({ where: { id: { in: ids } }, orderBy: [{ queuedAt: "asc" }, { id: "asc" }] });
      for (const key of keys) {
        const mine = runs.filter((r) => r.orderingKey === key);
        expect(mine.map((r) => (JSON.parse(Buffer.from(r.payload!).toString()) as { n: number }).n)).toEqual([1, 2, 3, 4]);
        // Each run's step began only after the previous run of its key had finished.
        const steps = await db.stepRun.findMany({ where: { executionId: { in: mine.map((r) => r.id) } } });
        const stepOf = (id: string) => steps.find((s) => s.executionId === id)!;
        for (let i = 1; i < mine.length; i++) expect(stepOf(mine[i]!.id).startedAt.getTime()).toBeGreaterThanOrEqual(mine[i - 1]!.finishedAt!.getTime());
      }
      const state = await db.instanceState.findMany({ where: { key: { startsWith: "last:" } } });
      expect(Object.fromEntries(state.map((s) => [s.key, s.value]))).toEqual({ "last:k1": 4, "last:k2": 4, "last:k3": 4 });
    } finally {
      for (const e of executors) await e.close();
      await queue.close();
    }
  });
});
