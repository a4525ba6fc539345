import { describe, expect } from "vitest";
import { seedLab } from "@/engine/events/testing/seed-lab";
import { runExecution } from "@/engine/executor/run-execution";
import { startTestExecutor, waitForTerminal } from "@/engine/testing/walking-skeleton";
import { createExecutionsQueue } from "@/lib/queues";
import { dbTest } from "@/test/db-test";
import { cancelExecutionEndpoint, replayExecutionEndpoint, runInstanceEndpoint } from "../../rest/endpoints/runs";
import { toRouteHandler, type AnyEndpoint } from "../../rest/handler";
import type { Db } from "@/lib/db";
import { cancelExecution } from "./cancel-execution";
import { replayExecution, replayFailed } from "./replay-execution";
import { runManually } from "./run-manually";
import { useRunQueuesForTests } from "./run-queues";

// Manual runs, cancel and replay: REST and services against a real executor, Postgres and Redis.

function rest(db: Db, endpoint: AnyEndpoint, key: string, params: Record<string, string>, body?: unknown) {
  let path = endpoint.path;
  for (const [name, value] of Object.entries(params)) path = path.replace(`{${name}}`, value);
  const req = new Request(`http://localhost${path}`, {
    method: endpoint.method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return toRouteHandler(endpoint, () => ({ db }))(req, { params: Promise.resolve(params) });
}

describe("run control", () => {
  dbTest("a manual run starts over REST; a queued run cancelled is never run; a running one cannot be cancelled", async ({ db, redis, redisPrefix }) => {
    const queue = createExecutionsQueue(redis, redisPrefix);
    useRunQueuesForTests({ executions: queue });
    try {
      const lab = await seedLab(db);
      const { instance } = await lab.deployFor("acme");

      const started = await rest(db, runInstanceEndpoint, lab.apiKey, { id: instance.id }, { flowKey: "manualTask", payload: { note: "hi" } });
      expect(started.status).toBe(202);
      const { executionId } = (await started.json()) as { executionId: string };
      expect(await db.execution.findUniqueOrThrow({ where: { id: executionId } })).toMatchObject({ status: "QUEUED", triggerType: "MANUAL", triggerSource: "api" });
      expect(await queue.getJob(executionId)).toBeDefined();

      const cancelled = await rest(db, cancelExecutionEndpoint, lab.apiKey, { id: executionId });
      expect(cancelled.status).toBe(200);
      expect(await cancelled.json()).toEqual({ id: executionId, status: "CANCELLED" });
      expect(await queue.getJob(executionId)).toBeUndefined();
      // A delivery that was already under way finds the row CANCELLED and leaves it.
      const executor = startTestExecutor({ db, redis, redisPrefix });
      try {
        expect(await runExecution(executor.deps, executionId)).toEqual({ outcome: "skipped" });
        expect(await db.stepRun.count({ where: { executionId } })).toBe(0);

        const again = await rest(db, cancelExecutionEndpoint, lab.apiKey, { id: executionId });
        expect(again.status).toBe(409);

        const run = await runManually(lab.scope, { instanceId: instance.id, flowKey: "manualTask" }, queue);
        expect((await waitForTerminal(db, run.executionId)).status).toBe("SUCCEEDED");
        await db.execution.update({ where: { id: run.executionId }, data: { status: "RUNNING" } });
        await expect(cancelExecution(lab.scope, run.executionId, queue)).rejects.toMatchObject({ code: "CONFLICT" });

        const unknownFlow = await rest(db, runInstanceEndpoint, lab.apiKey, { id: instance.id }, { flowKey: "nope" });
        expect(unknownFlow.status).toBe(400);
      } finally {
        await executor.close();
      }
    } finally {
      useRunQueuesForTests(undefined);
      await queue.close();
    }
  });

  dbTest("a failed run replays from a chosen step reusing earlier results, and bulk replay takes the dead-letter list once", async ({ db, redis, redisPrefix }) => {
    const queue = createExecutionsQueue(redis, redisPrefix);
    useRunQueuesForTests({ executions: queue });
    const executor = startTestExecutor({ db, redis, redisPrefix });
    try {
      const lab = await seedLab(db);
      const { instance } = await lab.deployFor("acme");
      const failing = async () => {
        const r = await runManually(lab.scope, { instanceId: instance.id, flowKey: "manualTask", payload: { fail: true } }, queue);
        return waitForTerminal(db, r.executionId);
      };
      const first = await failing();
      const second = await failing();
      expect([first.status, second.status]).toEqual(["FAILED", "FAILED"]);
      const firstToken = (await db.stepRun.findFirstOrThrow({ where: { executionId: first.id, seq: 1 } })).output as { token: string };

      // The cause is fixed; replay the first from step 2 over REST.
      await db.instanceState.create({ data: { organizationId: lab.org.id, instanceId: instance.id, key: "healthy", value: true } });
      const res = await rest(db, replayExecutionEndpoint, lab.apiKey, { id: first.id }, { fromStep: 2 });
      expect(res.status).toBe(202);
      const { executionId } = (await res.json()) as { executionId: string };
      const replay = await waitForTerminal(db, executionId);
      expect(replay).toMatchObject({ status: "SUCCEEDED", replayOfId: first.id, flowKey: "manualTask" });
      expect(replay.result).toEqual(firstToken); // step 1 was not run again: its stored result was reused

      await expect(replayExecution(lab.scope, { id: first.id, fromStep: 5 }, queue)).rejects.toMatchObject({ code: "BAD_INPUT" });

      // The dead-letter list: only the second is still FAILED without a replay.
      const bulk = await replayFailed(lab.scope, { instanceId: instance.id }, queue);
      expect(bulk.errors).toEqual([]);
      expect(bulk.replays.map((r) => r.id)).toEqual([second.id]);
      const bulkRun = await waitForTerminal(db, bulk.replays[0]!.executionId);
      expect(bulkRun).toMatchObject({ status: "SUCCEEDED", replayOfId: second.id });
      expect((bulkRun.result as { token: string }).token).not.toBe(((await db.stepRun.findFirstOrThrow({ where: { executionId: second.id, seq: 1 } })).output as { token: string }).token);
      expect((await replayFailed(lab.scope, { instanceId: instance.id }, queue)).replays).toEqual([]);
    } finally {
      await executor.close();
      useRunQueuesForTests(undefined);
      await queue.close();
    }
  });
});
