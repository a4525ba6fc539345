import { describe, expect } from "vitest";
import { hotPool } from "@/lib/db";
import { dbTest } from "@/test/db-test";
import { seedOrdersInstance } from "../testing/walking-skeleton";
import { ClaimBatcher } from "./claim-batcher";
import { MaxAttemptsHints } from "./hot-claim";

const PLAIN = ["QUEUED", "RETRYING"];
const REDELIVERED = ["QUEUED", "RETRYING", "RUNNING"];

describe("the claim batcher", () => {
  dbTest("many claims asked together each claim their own run once and load its own row; unclaimable rows come back unclaimed", async ({ db }) => {
    const seeded = await seedOrdersInstance(db, { sandboxUrl: "http://127.0.0.1:9" });
    const base = {
      organizationId: seeded.org.id,
      instanceId: seeded.instance.id,
      customerId: seeded.customer.id,
      versionId: seeded.version.id,
      flowKey: "order-created",
      triggerType: "WEBHOOK" as const,
    };
    const runs = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        db.execution.create({ data: { ...base, status: i % 2 ? "RETRYING" : "QUEUED", attempt: i % 2, payload: Buffer.from(`{"n":${i}}`) }, select: { id: true } }),
      ),
    );
    const ordered = await db.execution.create({ data: { ...base, status: "QUEUED", orderingKey: "k" }, select: { id: true } });
    const taken = await db.execution.create({ data: { ...base, status: "RUNNING", attempt: 1 }, select: { id: true } });
    const stalled = await db.execution.create({ data: { ...base, status: "RUNNING", attempt: 1 }, select: { id: true } });
    const done = await db.execution.create({ data: { ...base, status: "SUCCEEDED", attempt: 1 }, select: { id: true } });

    const batcher = new ClaimBatcher(hotPool(db)!, new MaxAttemptsHints());
    // All asked in one turn, each run twice (a duplicate job): one claim per run, never two.
    const asked = [...runs, ...runs].map((r) => batcher.claim(r.id, PLAIN));
    const [o, t, s, d, missing] = await Promise.all([
      batcher.claim(ordered.id, PLAIN),
      batcher.claim(taken.id, PLAIN),
      batcher.claim(stalled.id, REDELIVERED),
      batcher.claim(done.id, PLAIN),
      batcher.claim("no-such-run", PLAIN),
    ]);
    const results = await Promise.all(asked);

    for (const [i, r] of runs.entries()) {
      const mine = [results[i]!, results[i + runs.length]!];
      expect(mine.filter((x) => x!.claimed)).toHaveLength(1);
      for (const x of mine) {
        expect(x!.ex.id).toBe(r.id);
        expect(Buffer.from(x!.ex.payload!).toString()).toBe(`{"n":${i}}`);
        expect(x!.ex.customer.id).toBe(seeded.customer.id);
      }
      // The claimer sees the attempt before its claim, as the single-run claim does.
      expect(mine.find((x) => x!.claimed)!.ex.attempt).toBe(i % 2);
    }
    const rows = await db.execution.findMany({ where: { id: { in: runs.map((r) => r.id) } }, select: { id: true, status: true, attempt: true } });
    for (const [i, r] of runs.entries()) expect(rows.find((x) => x.id === r.id)).toMatchObject({ status: "RUNNING", attempt: (i % 2) + 1 });

    // Not claimed here: the general path (run-execution.ts) decides what happens to them.
    expect(o).toMatchObject({ claimed: false, ex: { id: ordered.id, orderingKey: "k", status: "QUEUED" } });
    expect(t).toMatchObject({ claimed: false, ex: { id: taken.id, status: "RUNNING" } });
    expect(d).toMatchObject({ claimed: false, ex: { id: done.id, status: "SUCCEEDED" } });
    expect(missing).toBeNull();
    // A redelivered job may take over the RUNNING row its crashed attempt left behind.
    expect(s).toMatchObject({ claimed: true, ex: { id: stalled.id, attempt: 1 } });
    const after = await db.execution.findMany({ where: { id: { in: [ordered.id, taken.id, stalled.id, done.id] } }, select: { id: true, status: true, attempt: true } });
    expect(after.find((x) => x.id === ordered.id)).toMatchObject({ status: "QUEUED", attempt: 0 });
    expect(after.find((x) => x.id === taken.id)).toMatchObject({ status: "RUNNING", attempt: 1 });
    expect(after.find((x) => x.id === stalled.id)).toMatchObject({ status: "RUNNING", attempt: 2 });
    expect(after.find((x) => x.id === done.id)).toMatchObject({ status: "SUCCEEDED", attempt: 1 });
  });

  dbTest("a held instance's runs are loaded but not claimed", async ({ db }) => {
    const seeded = await seedOrdersInstance(db, { sandboxUrl: "http://127.0.0.1:9" });
    const data = {
      organizationId: seeded.org.id,
      instanceId: seeded.instance.id,
      customerId: seeded.customer.id,
      versionId: seeded.version.id,
      flowKey: "order-created",
      triggerType: "WEBHOOK" as const,
      status: "QUEUED" as const,
    };
    const runs = await Promise.all(Array.from({ length: 5 }, () => db.execution.create({ data, select: { id: true } })));
    await db.instance.update({ where: { id: seeded.instance.id }, data: { status: "PAUSED" } });
    const batcher = new ClaimBatcher(hotPool(db)!, new MaxAttemptsHints());
    const results = await Promise.all(runs.map((r) => batcher.claim(r.id, PLAIN)));
    expect(results.map((r) => [r!.claimed, r!.ex.instance.status])).toEqual(Array(5).fill([false, "PAUSED"]));
    expect(await db.execution.count({ where: { id: { in: runs.map((r) => r.id) }, status: "QUEUED" } })).toBe(5);
  });
});
