import { describe, expect } from "vitest";
import { seedLab } from "@/engine/events/testing/seed-lab";
import { createExecutionsQueue } from "@/lib/queues";
import { dbTest } from "@/test/db-test";
import { getExecution } from "./get-execution";
import { runManually } from "./run-manually";

describe("run detail", () => {
  dbTest("says when a run wrote more log lines and HTTP exchanges than the detail shows", async ({ db, redis, redisPrefix }) => {
    const queue = createExecutionsQueue(redis, redisPrefix);
    const lab = await seedLab(db);
    const { instance } = await lab.deployFor("acme");
    const { executionId } = await runManually(lab.scope, { instanceId: instance.id, flowKey: "manualTask" }, queue);
    const organizationId = lab.scope.organizationId;

    const quiet = await getExecution(lab.scope, executionId);
    expect(quiet).toMatchObject({ logs: [], logsTruncated: false, httpExchanges: [], httpExchangesTruncated: false });

    const at = Date.UTC(2026, 0, 1);
    await db.logEntry.createMany({
      data: Array.from({ length: 2_001 }, (_, i) => ({ organizationId, executionId, level: "INFO" as const, message: `line ${i}`, at: new Date(at + i) })),
    });
    await db.httpExchange.createMany({
      data: Array.from({ length: 500 }, (_, i) => ({ organizationId, executionId, method: "GET", url: `https://x.test/${i}`, startedAt: new Date(at + i) })),
    });
    const exactlyAtLimit = await getExecution(lab.scope, executionId);
    expect(exactlyAtLimit.logs).toHaveLength(2_000);
    expect(exactlyAtLimit.logs[0]?.message).toBe("line 0");
    expect(exactlyAtLimit.logsTruncated).toBe(true);
    expect(exactlyAtLimit.httpExchanges).toHaveLength(500);
    expect(exactlyAtLimit.httpExchangesTruncated).toBe(false);

    await db.httpExchange.create({ data: { organizationId, executionId, method: "GET", url: "https://x.test/one-more", startedAt: new Date(at + 10_000) } });
    const over = await getExecution(lab.scope, executionId);
    expect(over.httpExchanges).toHaveLength(500);
    expect(over.httpExchangesTruncated).toBe(true);
    await queue.close();
  });
});
