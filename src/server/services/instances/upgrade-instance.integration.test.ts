import { describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { sandboxAdmin } from "../../../../sandbox/admin-client";
import { startSandbox, type RunningSandbox } from "../../../../sandbox/server";
import {
  postWebhook,
  sampleOrder,
  seedOrdersInstance,
  startTestExecutor,
  startTestFront,
  waitForTerminal,
} from "@/engine/testing/walking-skeleton";
import { ordersBrokenMigrateSource, ordersRequiredFieldSource, ordersV2Source, publishSource } from "../versions/upgrade-fixtures";
import { upgradeInstance } from "./upgrade-instance";

const NOWHERE = { sandboxUrl: "http://127.0.0.1:9" };

describe("upgrading an instance", () => {
  dbTest("moves the config through migrate and keeps the webhook URL, adding one for a new webhook flow", async ({ db }) => {
    const { scope, instance } = await seedOrdersInstance(db, NOWHERE);
    await db.instance.update({ where: { id: instance.id }, data: { config: { warehouse: "EAST", customerAccount: "WEBSHOP" } } });
    await publishSource(scope, ordersV2Source());

    const upgraded = await upgradeInstance(scope, { instanceId: instance.id, version: 2 });

    expect(upgraded).toMatchObject({ version: { number: 2 }, upgradedFrom: 1, config: { warehouseCode: "EAST", customerAccount: "WEBSHOP" } });
    expect(upgraded.config).not.toHaveProperty("warehouse");
    const endpoints = await db.webhookEndpoint.findMany({ where: { instanceId: instance.id }, orderBy: { flowKey: "asc" } });
    expect(endpoints.map((e) => e.flowKey)).toEqual(["onOrder", "onRefund"]);
    expect(endpoints.find((e) => e.flowKey === "onOrder")!.token).toBe(instance.webhooks[0]!.token);
    expect(await db.instanceUpgrade.findMany({ where: { instanceId: instance.id }, select: { status: true, fromConfig: true } })).toEqual([
      { status: "SUCCEEDED", fromConfig: { warehouse: "EAST", customerAccount: "WEBSHOP" } },
    ]);
  });

  dbTest("a migrate that throws, or a config the new schema refuses, keeps the instance on its version and says why", async ({ db }) => {
    const { scope, instance } = await seedOrdersInstance(db, NOWHERE);
    await publishSource(scope, ordersBrokenMigrateSource());
    await publishSource(scope, ordersRequiredFieldSource());

    await expect(upgradeInstance(scope, { instanceId: instance.id, version: 2 })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("migrate from version 1 failed: no mapping for this warehouse"),
      details: { stayedOn: 1 },
    });
    let row = await db.instance.findUniqueOrThrow({ where: { id: instance.id }, include: { version: true } });
    expect(row.version.number).toBe(1);
    expect(row.status).toBe("ACTIVE");
    expect(row.statusReason).toBe("Upgrade to version 2 failed: migrate from version 1 failed: no mapping for this warehouse");

    await expect(upgradeInstance(scope, { instanceId: instance.id, version: 3 })).rejects.toMatchObject({
      code: "CONFLICT",
      details: { issues: [{ path: "priceList" }] },
    });
    row = await db.instance.findUniqueOrThrow({ where: { id: instance.id }, include: { version: true } });
    expect(row.version.number).toBe(1);
    expect(row.config).toEqual({ warehouse: "MAIN", customerAccount: "WEBSHOP" });
    expect(row.statusReason).toMatch(/^Upgrade to version 3 failed: the config does not fit version 3: priceList/);
    expect(await db.instanceUpgrade.count({ where: { instanceId: instance.id, status: "FAILED" } })).toBe(2);
  });

  dbTest("a rollback returns the instance to the older version with the config it had there", async ({ db }) => {
    const { scope, instance } = await seedOrdersInstance(db, NOWHERE);
    await db.instance.update({ where: { id: instance.id }, data: { config: { warehouse: "EAST", customerAccount: "SHOP-B" } } });
    await publishSource(scope, ordersV2Source());
    await upgradeInstance(scope, { instanceId: instance.id, version: 2 });

    const back = await upgradeInstance(scope, { instanceId: instance.id, version: 1 });

    expect(back).toMatchObject({ version: { number: 1 }, upgradedFrom: 2, config: { warehouse: "EAST", customerAccount: "SHOP-B" } });
    expect(back.webhooks.map((w) => w.flowKey)).toEqual(["onOrder", "onRefund"]); // URLs handed out stay valid
    await expect(upgradeInstance(scope, { instanceId: instance.id, version: 1 })).rejects.toMatchObject({ code: "CONFLICT" });
  });
});

describe("runs across an upgrade", () => {
  const test = dbTest.extend<{ sandbox: RunningSandbox }>({
    // eslint-disable-next-line no-empty-pattern
    sandbox: async ({}, use) => {
      const sandbox = await startSandbox({ port: 0 });
      await use(sandbox);
      await sandbox.close();
    },
  });

  test("a run queued before the upgrade finishes on its version with its config; the next run uses the new one", async ({ db, redis, redisUrl, redisPrefix, sandbox }) => {
    const { scope, instance, token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    await db.instance.update({ where: { id: instance.id }, data: { config: { warehouse: "EAST", customerAccount: "WEBSHOP" } } });
    const front = await startTestFront({ db, redisUrl, redisPrefix });
    try {
      // No executor yet: the run waits in the queue while the instance is upgraded.
      const queued = await postWebhook(front.url, token, sampleOrder("7001"));
      expect(queued.status).toBe(202);
      const v2 = await publishSource(scope, ordersV2Source());
      await upgradeInstance(scope, { instanceId: instance.id, version: 2 });

      const executor = startTestExecutor({ db, redis, redisPrefix });
      try {
        const first = await waitForTerminal(db, queued.body.executionId!);
        expect(first).toMatchObject({ status: "SUCCEEDED", versionId: instance.versionId });
        expect(first.result).not.toHaveProperty("ranVersion");
        const mapped = await db.stepRun.findFirstOrThrow({ where: { executionId: first.id, name: "map to sales order" } });
        expect(mapped.output).toMatchObject({ warehouse: "EAST" });

        const next = await postWebhook(front.url, token, sampleOrder("7002"));
        const second = await waitForTerminal(db, next.body.executionId!);
        expect(second).toMatchObject({ status: "SUCCEEDED", versionId: v2.id, result: { ranVersion: 2 } });
        const mapped2 = await db.stepRun.findFirstOrThrow({ where: { executionId: second.id, name: "map to sales order" } });
        expect(mapped2.output).toMatchObject({ warehouse: "EAST" });
        expect((await sandboxAdmin(sandbox.url).effects()).total).toBe(2);
      } finally {
        await executor.close();
      }
    } finally {
      await front.close();
    }
  });
});
