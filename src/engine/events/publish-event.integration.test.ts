import { describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { startTestFront, type TestFront } from "../testing/walking-skeleton";
import { seedLab } from "./testing/seed-lab";

const test = dbTest.extend<{ front: TestFront }>({
  front: async ({ db, redisUrl, redisPrefix }, use) => {
    const front = await startTestFront({ db, redisUrl, redisPrefix });
    await use(front);
    await front.close();
  },
});

async function postEvent(front: TestFront, key: string | null, body: unknown) {
  const res = await fetch(`${front.url}/api/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { executions?: { instanceId: string; executionId: string }[]; error?: { code: string; details?: { issues?: { path: unknown[] }[] } } } };
}

describe("app events", () => {
  test("an event starts one run per subscribed instance of that customer, held for a paused one, once per key", async ({ db, front }) => {
    const lab = await seedLab(db);
    const active = await lab.deployFor("acme");
    const paused = await lab.deployFor("acme");
    await db.instance.update({ where: { id: paused.instance.id }, data: { status: "PAUSED" } });
    await lab.deployFor("globex"); // another customer: not addressed

    const event = { customer: "acme", type: "order.created", payload: { id: 7 }, idempotencyKey: "evt-7" };
    const res = await postEvent(front, lab.apiKey, event);
    expect(res.status).toBe(202);
    const runs = res.body.executions!;
    expect(runs.map((r) => r.instanceId).sort()).toEqual([active.instance.id, paused.instance.id].sort());

    const rows = await db.execution.findMany({ where: { id: { in: runs.map((r) => r.executionId) } } });
    for (const row of rows) {
      expect(row).toMatchObject({ status: "QUEUED", triggerType: "EVENT", flowKey: "onOrderCreated", idempotencyKey: "evt-7" });
      expect(JSON.parse(Buffer.from(row.payload!).toString())).toEqual({ id: 7 });
    }
    const activeRun = runs.find((r) => r.instanceId === active.instance.id)!.executionId;
    const heldRun = runs.find((r) => r.instanceId === paused.instance.id)!.executionId;
    expect((await front.queue.getJob(activeRun))?.data).toEqual({ executionId: activeRun });
    expect(await front.queue.getJob(heldRun)).toBeUndefined(); // held until resume

    const again = await postEvent(front, lab.apiKey, event);
    expect(again.status).toBe(202);
    expect(again.body.executions!.map((r) => r.executionId).sort()).toEqual(runs.map((r) => r.executionId).sort());
    expect(await db.execution.count()).toBe(2);

    const nobody = await postEvent(front, lab.apiKey, { customer: "acme", type: "nobody.listens" });
    expect(nobody).toEqual({ status: 202, body: { executions: [] } });
  });

  test("events: unknown customer 404, invalid body 400 with issues, no API key 401", async ({ db, front }) => {
    const lab = await seedLab(db);
    expect((await postEvent(front, lab.apiKey, { customer: "nobody", type: "order.created" })).status).toBe(404);

    const bad = await postEvent(front, lab.apiKey, { customer: "", type: 5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("BAD_INPUT");
    expect(bad.body.error?.details?.issues?.map((i) => i.path)).toEqual(expect.arrayContaining([["body", "customer"], ["body", "type"]]));
    expect((await postEvent(front, lab.apiKey, "{nope")).status).toBe(400);

    const anonymous = await postEvent(front, null, { customer: "acme", type: "order.created" });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error?.code).toBe("UNAUTHENTICATED");
    expect(await db.execution.count()).toBe(0);
  });
});
