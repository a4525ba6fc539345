import { describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { sandboxAdmin, type SandboxAdmin } from "../../../sandbox/admin-client";
import { startSandbox, type RunningSandbox } from "../../../sandbox/server";
import {
  ERP_KEY,
  postWebhook,
  sampleOrder,
  seedOrdersInstance,
  startTestExecutor,
  startTestFront,
  waitForTerminal,
  type TestFront,
} from "../testing/walking-skeleton";
import type { RunningExecutor } from "./start-executor";

// The walking skeleton: webhook → 202 → a worker runs orders-to-erp against the sandbox ERP →
// the run, its steps and its HTTP exchanges are recorded.
const test = dbTest.extend<{ sandbox: RunningSandbox; admin: SandboxAdmin; front: TestFront; executor: RunningExecutor }>({
  // eslint-disable-next-line no-empty-pattern
  sandbox: async ({}, use) => {
    const sandbox = await startSandbox({ port: 0 });
    await use(sandbox);
    await sandbox.close();
  },
  admin: async ({ sandbox }, use) => use(sandboxAdmin(sandbox.url)),
  front: async ({ db, redisUrl, redisPrefix }, use) => {
    const front = await startTestFront({ db, redisUrl, redisPrefix });
    await use(front);
    await front.close();
  },
  executor: async ({ db, redis, redisPrefix }, use) => {
    const executor = startTestExecutor({ db, redis, redisPrefix });
    await use(executor);
    await executor.close();
  },
});

describe("running a webhook run", () => {
  test("an order posted to the webhook becomes one ERP sales order, with 3 steps and a masked exchange", async ({ db, sandbox, admin, front, executor }) => {
    void executor;
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const res = await postWebhook(front.url, token, sampleOrder("1001"));
    expect(res.status).toBe(202);

    const ex = await waitForTerminal(db, res.body.executionId!);
    expect(ex).toMatchObject({ status: "SUCCEEDED", attempt: 1, reference: "SO-1001", errorClass: null });
    expect(ex.startedAt).not.toBeNull();
    expect(ex.finishedAt).not.toBeNull();
    expect(ex.result).toMatchObject({ salesOrderId: expect.stringMatching(/^SO-/) });

    const steps = await db.stepRun.findMany({ where: { executionId: ex.id }, orderBy: { seq: "asc" } });
    expect(steps.map((s) => [s.seq, s.name, s.status])).toEqual([
      [1, "validate order", "SUCCEEDED"],
      [2, "map to sales order", "SUCCEEDED"],
      [3, "push to ERP", "SUCCEEDED"],
    ]);

    const exchanges = await db.httpExchange.findMany({ where: { executionId: ex.id } });
    expect(exchanges).toHaveLength(1);
    const [x] = exchanges;
    expect(x).toMatchObject({ method: "POST", status: 201, stepName: "push to ERP", url: `${sandbox.url}/erp/api/sales-orders` });
    expect(x!.requestHeaders).toMatchObject({ "x-api-key": "[masked]", "idempotency-key": "order-1001" });
    expect(JSON.stringify(exchanges)).not.toContain(ERP_KEY);

    const logs = await db.logEntry.findMany({ where: { executionId: ex.id }, orderBy: { at: "asc" } });
    expect(logs.map((l) => l.message)).toEqual(["order received", "sales order created"]);
    expect(logs[0]!.stepName).toBe("validate order");

    const effects = await admin.effects();
    expect(effects.total).toBe(1);
    expect(effects.byIdempotencyKey).toEqual({ "order-1001": 1 });
  });

  test("an ERP that keeps answering 500 fails the run as REMOTE_UNAVAILABLE after its retries", async ({ db, sandbox, admin, front, executor }) => {
    void executor;
    const { token, instance } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    await admin.addFault({ app: "erp", mode: "status", status: 500, times: -1 });

    const res = await postWebhook(front.url, token, sampleOrder("2002"));
    const ex = await waitForTerminal(db, res.body.executionId!);

    expect(ex).toMatchObject({ status: "FAILED", errorClass: "REMOTE_UNAVAILABLE", attempt: 3, maxAttempts: 3, reference: "SO-2002" });
    expect(ex.errorMessage).toContain("500");
    expect(ex.customerMessage).toBe("Acme ERP was not reachable or answered with an error; we tried 3 times. Once it is back, retry the run.");
    expect(await db.httpExchange.count({ where: { executionId: ex.id, status: 500 } })).toBe(3);
    expect((await db.instance.findUniqueOrThrow({ where: { id: instance.id } })).consecutiveFailures).toBe(1);
    expect((await admin.effects()).total).toBe(0);
  });

  test("a retried run does not re-run the steps that already completed", async ({ db, sandbox, admin, front, executor }) => {
    void executor;
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    await admin.addFault({ app: "erp", mode: "status", status: 503, times: 1 });

    const res = await postWebhook(front.url, token, sampleOrder("3003"));
    const ex = await waitForTerminal(db, res.body.executionId!);
    expect(ex).toMatchObject({ status: "SUCCEEDED", attempt: 2 });

    const steps = await db.stepRun.findMany({ where: { executionId: ex.id }, orderBy: { seq: "asc" } });
    // The attempt that last ran each step: the first two completed in attempt 1 and were reused.
    expect(steps.map((s) => [s.name, s.status, s.attempt])).toEqual([
      ["validate order", "SUCCEEDED", 1],
      ["map to sales order", "SUCCEEDED", 1],
      ["push to ERP", "SUCCEEDED", 2],
    ]);
    // "order received" is logged inside the first step: once, not once per attempt.
    expect(await db.logEntry.count({ where: { executionId: ex.id, message: "order received" } })).toBe(1);
    expect(await db.httpExchange.count({ where: { executionId: ex.id } })).toBe(2);
    expect((await admin.effects()).byIdempotencyKey).toEqual({ "order-3003": 1 });
  });

  test("an invalid order fails at once as INVALID_DATA, in the builder's words, without calling the ERP", async ({ db, sandbox, admin, front, executor }) => {
    void executor;
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const res = await postWebhook(front.url, token, { ...sampleOrder("4004"), lines: [] });
    const ex = await waitForTerminal(db, res.body.executionId!);

    expect(ex).toMatchObject({ status: "FAILED", errorClass: "INVALID_DATA", attempt: 1 });
    expect(ex.customerMessage).toContain("an order needs at least one line");
    expect(await admin.requests({ app: "erp" })).toHaveLength(0);
  });
});

describe("outbound address policy", () => {
  test("a run may not call a loopback address that is not allowlisted", async ({ db, redis, redisPrefix, sandbox, admin, front }) => {
    const strict = startTestExecutor({ db, redis, redisPrefix, outboundAllowlist: [] });
    try {
      const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
      const res = await postWebhook(front.url, token, sampleOrder("5005"));
      const ex = await waitForTerminal(db, res.body.executionId!);
      expect(ex).toMatchObject({ status: "FAILED", errorClass: "CONFIG", attempt: 1 });
      expect(ex.errorMessage).toContain("refused");
      expect(await admin.requests({ app: "erp" })).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });
});
