// R4 of reliability-plan §3.3: Redis full (`maxmemory` + `noeviction`) while webhooks flood in.
// Once Redis refuses writes, ingest answers 503 with Retry-After — never a 202 for a run whose job
// is not in Redis — and a sender's retry with the same Idempotency-Key finds the run the refused
// request committed (no second run). Redis evicts nothing. When memory is freed, every 202'd run
// and every retried one reaches a terminal state, with one sales order per key at the ERP.
import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { describe, expect } from "vitest";
import { stopAfterEachTest } from "./after-each-test";
import { createExecutionsQueue } from "@/lib/queues";
import { createRedis } from "@/lib/redis";
import { dbTest } from "@/test/db-test";
import { slotDataDir, slotRedisPort } from "@/test/test-slot";
import { startRedis } from "../../../scripts/lib/redis-server";
import { seedOrdersInstance } from "../testing/walking-skeleton";
import {
  expectEffectsOnce,
  expectLedgerSettled,
  newLedger,
  orderBody,
  postOrders,
  startErpSandbox,
  startExecutorProcess,
  startFrontProcess,
} from "./harness";

// Our own redis-server (the test fills it up), on a port of this test slot.
const PORT = slotRedisPort(9);
const DIR = slotDataDir("reliability-redis-oom");
const MAXMEMORY = 16 * 1024 * 1024;
// Room left for the flood once the filler has made Redis refuse writes.
const HEADROOM = Number(process.env.RELIABILITY_OOM_HEADROOM_BYTES ?? 128 * 1024);
// Refused webhooks to see before the flood stops (more = a longer OOM phase).
const REFUSED = Number(process.env.RELIABILITY_OOM_REFUSED ?? 50);
const FILLER_VALUE = 64 * 1024;
const MAX_FLOOD = 50_000;

const { procs, cleanups } = stopAfterEachTest({ ignoreCleanupErrors: true });

/** Empties the data folder but keeps the pid file (a server left by a killed run is then replaced). */
function emptyDataDir(dir: string) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) if (entry !== "portico-redis.pid") rmSync(path.join(dir, entry), { recursive: true, force: true });
}

const isOom = (err: unknown) => err instanceof Error && err.message.startsWith("OOM");

async function evictedKeys(admin: Redis): Promise<number> {
  const m = /^evicted_keys:(\d+)/m.exec(await admin.info("stats"));
  return Number(m?.[1] ?? NaN);
}

describe("Redis out of memory (noeviction) during a webhook flood", () => {
  dbTest(`ingest answers 503 + Retry-After once Redis refuses (${REFUSED} refusals), no 202 without a job, no eviction, all runs once memory is freed`, async ({ db, databaseUrl, redisPrefix }) => {
    emptyDataDir(DIR);
    const redis = await startRedis({ dataDir: DIR, port: PORT });
    cleanups.push(() => redis.stop());
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    cleanups.push(async () => admin.disconnect());
    await admin.config("SET", "maxmemory", String(MAXMEMORY));
    expect(await admin.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "noeviction"]);
    // The filler lives in database 1: FLUSHDB there frees memory without touching the queue (db 0).
    const filler = new Redis(redis.url, { db: 1, maxRetriesPerRequest: 1 });
    cleanups.push(async () => filler.disconnect());
    const producer = createRedis(redis.url, "producer");
    producer.on("error", () => {});
    const queue = createExecutionsQueue(producer, redisPrefix);
    queue.on("error", () => {});
    cleanups.push(async () => (await queue.close(), producer.disconnect()));

    const { sandbox, admin: erp } = await startErpSandbox();
    cleanups.push(() => sandbox.close());
    const { token } = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const stack = { databaseUrl, redisUrl: redis.url, redisPrefix };
    const [front, executor] = await Promise.all([startFrontProcess(procs, stack), startExecutorProcess(procs, stack, { name: "executor", concurrency: 20 })]);
    const ledger = newLedger();
    await postOrders({ frontUrl: () => front.url, token, from: 1, to: 21, concurrency: 10, ledger });

    // Fill Redis until it refuses a write, then give back HEADROOM for the flood to use up.
    const fillerKeys: string[] = [];
    const fillUntilRefused = async () => {
      for (let n = 0; ; n++) {
        const key = `filler:${fillerKeys.length}`;
        try {
          await filler.set(key, Buffer.alloc(FILLER_VALUE, fillerKeys.length % 251));
          fillerKeys.push(key);
        } catch (err) {
          if (!isOom(err)) throw err;
          return;
        }
        if (n > (2 * MAXMEMORY) / FILLER_VALUE) throw new Error("Redis never refused the filler: is maxmemory set?");
      }
    };
    await fillUntilRefused();
    await filler.del(...fillerKeys.splice(0, Math.ceil(HEADROOM / FILLER_VALUE)));

    // Flood: each webhook sent once (its own key), until REFUSED of them were refused.
    const refused: string[] = [];
    const unexpected: string[] = [];
    let retryAfterMissing = 0;
    let next = 21;
    // One delivery; a connection closed under it (an idle keep-alive the front closed) is sent again.
    const post = async (i: number, headers: Record<string, string> = { "idempotency-key": `order-${i}` }): Promise<Response> => {
      for (let tries = 1; ; tries++) {
        try {
          return await fetch(`${front.url}/api/hooks/${token}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: orderBody(i) });
        } catch (err) {
          if (tries >= 3) throw err;
        }
      }
    };
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (refused.length < REFUSED && next < MAX_FLOOD) {
          const i = next++;
          const res = await post(i);
          const text = await res.text();
          if (res.status === 202) ledger.accepted.set(`order-${i}`, (JSON.parse(text) as { executionId: string }).executionId);
          else if (res.status === 503) {
            refused.push(`order-${i}`);
            if (!/^\d+$/.test(res.headers.get("retry-after") ?? "")) retryAfterMissing++;
          } else unexpected.push(`order-${i}: ${res.status} ${text}`);
        }
      }),
    );
    expect(unexpected).toEqual([]);
    expect(refused.length).toBeGreaterThanOrEqual(REFUSED);
    expect(retryAfterMissing).toBe(0);
    const flooded = next - 21;
    const unkeyedOrder = MAX_FLOOD + 1;

    // Frozen executor (SIGSTOP: its reconciler too) and Redis pinned full — maxmemory 1 MiB under
    // what it holds, whatever the executor freed meanwhile (finished jobs are removed), since "full"
    // at the limit itself is fuzzy by a refused command's own buffer: nothing can queue a run now.
    process.kill(executor.pid, "SIGSTOP");
    const keptByKey = new Map<string, string>();
    try {
      const used = Number(/^used_memory:(\d+)/m.exec(await admin.info("memory"))?.[1]);
      await admin.config("SET", "maxmemory", String(Math.max(used - 1024 * 1024, 1024 * 1024)));
      const accepted = [...ledger.accepted.entries()];
      const rows = new Map((await db.execution.findMany({ select: { id: true, status: true, idempotencyKey: true } })).map((r) => [r.id, r]));
      const withoutRow = accepted.filter(([, id]) => !rows.has(id));
      expect(withoutRow).toEqual([]);
      // Not started yet, so its job must be in Redis (getJob only reads: it works while Redis is full).
      const queuedWithoutJob: string[] = [];
      for (const [key, id] of accepted) if (rows.get(id)!.status === "QUEUED" && !(await queue.getJob(id))) queuedWithoutJob.push(key);
      expect(queuedWithoutJob).toEqual([]);
      // A refused request may have committed its row (kept for the sender's retry): one at most per key.
      for (const r of rows.values()) if (r.idempotencyKey && refused.includes(r.idempotencyKey)) {
        expect(keptByKey.has(r.idempotencyKey)).toBe(false);
        keptByKey.set(r.idempotencyKey, r.id);
      }
      // 503s come from the refused add here, after the commit: every refused key has its row.
      expect(keptByKey.size).toBe(refused.length);
      // A refused run still without a job, retried while Redis is full: 503 again (its job cannot
      // be added), never a 202. Without a key: 503 and no row left behind.
      const unqueued: string[] = [];
      for (const [key, id] of keptByKey) if (rows.get(id)!.status === "QUEUED" && !(await queue.getJob(id))) unqueued.push(key);
      expect(unqueued.length).toBeGreaterThan(0);
      for (const key of unqueued.slice(0, 10)) {
        const again = await post(Number(key.slice("order-".length)));
        expect(again.status, `${key} retried while Redis is full`).toBe(503);
        expect(again.headers.get("retry-after")).toMatch(/^\d+$/);
      }
      expect(await db.execution.count({ where: { idempotencyKey: null } })).toBe(0);
      expect((await post(unkeyedOrder, {})).status).toBe(503);
      expect(await db.execution.count({ where: { idempotencyKey: null } })).toBe(0);
      expect(await evictedKeys(admin)).toBe(0);
    } finally {
      await admin.config("SET", "maxmemory", String(MAXMEMORY));
      process.kill(executor.pid, "SIGCONT");
    }

    // Memory freed: the senders retry (same keys), the executor and reconciler catch up.
    await filler.flushdb();
    for (const key of refused) {
      const i = Number(key.slice("order-".length));
      await postOrders({ frontUrl: () => front.url, token, from: i, to: i + 1, concurrency: 1, ledger, retryForMs: 60_000 });
      const kept = keptByKey.get(key);
      if (kept) expect(ledger.accepted.get(key), `${key} retried after its 503`).toBe(kept);
    }
    const unkeyed = await post(unkeyedOrder, {});
    expect(unkeyed.status).toBe(202);
    ledger.accepted.set(`order-${unkeyedOrder}`, ((await unkeyed.json()) as { executionId: string }).executionId);

    await expectLedgerSettled(db, ledger, 120_000, () => procs.tails());
    const fx = await expectEffectsOnce(erp, ledger);
    expect(fx.missing).toEqual([]);
    expect(fx.duplicated).toEqual([]);
    expect(fx.total).toBe(ledger.accepted.size);
    expect(await evictedKeys(admin)).toBe(0);
    console.info(
      `R4: ${flooded} flooded, ${refused.length} refused with 503 (${keptByKey.size} of them had committed their row, found again on retry), ` +
        `${ledger.accepted.size} runs in all`,
    );
  }, 240_000);
});
