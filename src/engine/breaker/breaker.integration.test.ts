import { describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { createExecutionsQueue } from "@/lib/queues";
import { runManually } from "@/server/services/executions/run-manually";
import { seedLab } from "../events/testing/seed-lab";
import { startTestExecutor, waitForTerminal } from "../testing/walking-skeleton";
import { AUTH_ALERT, BREAKER_ALERT, PROBE_SOURCE } from "./breaker";

describe("breaker", () => {
  dbTest("N failures in a row stop the instance with one alert; a successful probe after the cool-down brings it back with its held runs", async ({ db, redis, redisPrefix }) => {
    const queue = createExecutionsQueue(redis, redisPrefix);
    const executor = startTestExecutor({ db, redis, redisPrefix });
    try {
      const lab = await seedLab(db);
      const { instance } = await lab.deployFor("acme");
      const other = await lab.deployFor("globex");
      const run = async (instanceId: string, payload: unknown) => {
        const r = await runManually(lab.scope, { instanceId, flowKey: "manualTask", payload }, queue);
        return r.executionId;
      };
      const failed: string[] = [];
      for (let i = 0; i < 3; i++) failed.push((await waitForTerminal(db, await run(instance.id, { fail: true }))).id); // breaker.failures = 3

      const stopped = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
      expect(stopped).toMatchObject({ status: "NEEDS_ATTENTION", consecutiveFailures: 3 });
      expect(stopped.statusReason).toContain("3 runs in a row failed");
      const alerts = await db.alertEvent.findMany({ where: { instanceId: instance.id } });
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ kind: BREAKER_ALERT, resolvedAt: null });
      expect((await db.instance.findUniqueOrThrow({ where: { id: other.instance.id } })).status).toBe("ACTIVE");

      // Held while open, not lost.
      const held = await run(instance.id, {});
      // The cause goes away; the probe (a replay of the third failure) then succeeds.
      await db.instanceState.create({ data: { organizationId: lab.org.id, instanceId: instance.id, key: "healthy", value: true } });
      const until = Date.now() + 30_000;
      let probe = await db.execution.findFirst({ where: { instanceId: instance.id, triggerSource: PROBE_SOURCE, status: "SUCCEEDED" } });
      while (!probe) {
        if (Date.now() > until) throw new Error("no successful probe");
        await new Promise((r) => setTimeout(r, 200));
        probe = await db.execution.findFirst({ where: { instanceId: instance.id, triggerSource: PROBE_SOURCE, status: "SUCCEEDED" } });
      }
      expect(failed.concat((await db.execution.findMany({ where: { triggerSource: PROBE_SOURCE } })).map((p) => p.id))).toContain(probe.replayOfId);
      expect(await db.instance.findUniqueOrThrow({ where: { id: instance.id } })).toMatchObject({ status: "ACTIVE", statusReason: null, consecutiveFailures: 0 });
      expect((await db.alertEvent.findFirstOrThrow({ where: { instanceId: instance.id } })).resolvedAt).not.toBeNull();
      expect((await waitForTerminal(db, held)).status).toBe("SUCCEEDED");
    } finally {
      await executor.close();
      await queue.close();
    }
  });

  dbTest("an AUTH failure stops the instance at once and marks its connection EXPIRED", async ({ db, redis, redisPrefix }) => {
    const queue = createExecutionsQueue(redis, redisPrefix);
    const executor = startTestExecutor({ db, redis, redisPrefix });
    try {
      const lab = await seedLab(db);
      const { instance, connection } = await lab.deployFor("acme");
      const r = await runManually(lab.scope, { instanceId: instance.id, flowKey: "manualTask", payload: { auth: true } }, queue);
      expect(await waitForTerminal(db, r.executionId)).toMatchObject({ status: "FAILED", errorClass: "AUTH" });
      expect((await db.instance.findUniqueOrThrow({ where: { id: instance.id } })).status).toBe("NEEDS_ATTENTION");
      expect((await db.connection.findUniqueOrThrow({ where: { id: connection.id } })).status).toBe("EXPIRED");
      expect(await db.alertEvent.findMany({ where: { instanceId: instance.id } })).toMatchObject([{ kind: AUTH_ALERT }]);
      expect(await db.execution.count({ where: { triggerSource: PROBE_SOURCE } })).toBe(0);
    } finally {
      await executor.close();
      await queue.close();
    }
  });
});
