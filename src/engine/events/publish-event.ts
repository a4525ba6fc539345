import { z } from "zod";
import { hotPool } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { insertEventExecutions, newExecutionId, queueRecordedExecutions, type EventInsertRow, type InsertResult } from "../ingest/execution-batch";
import { orderingKeyFor } from "../ordering/ordering-key";
import { jsonPayload, type RecordRunDeps } from "./record-run";

// App events: the vendor's backend (or its lean plugin) posts one event for one customer, and
// every instance of that customer whose flow subscribes to the event type gets one run. Paused
// instances (and those the breaker stopped) record theirs as held runs: they run on resume.
//
// A fan-out costs a constant number of round trips whatever its size: the customer, its
// instances, their versions (three reads), ONE multi-row INSERT for every run (the ingest
// statement builder, execution-batch.ts: all rows or none, autocommitted), one read of the first
// runs when the idempotency key was seen before, and ONE addBulk for the runs of ACTIVE
// instances. The answer leaves after the commit. If the addBulk fails the answer is still 202
// (unlike a webhook's 503): the committed rows are the ledger and the reconciler
// (src/engine/reconcile.ts) adds their jobs; a re-send with the same key re-adds them too.

export const EventBody = z.object({
  customer: z.string().min(1).max(200).meta({ description: "the customer's externalId" }),
  type: z.string().min(1).max(200).meta({ description: "the event type flows subscribe to, e.g. order.created" }),
  payload: z.unknown().optional(),
  idempotencyKey: z.string().min(1).max(255).optional().meta({ description: "a repeat with the same key starts no new runs" }),
});
export type EventBody = z.infer<typeof EventBody>;

export interface PublishedEvent {
  executions: { instanceId: string; executionId: string }[];
}

const RUNNABLE = ["ACTIVE", "PAUSED", "NEEDS_ATTENTION"] as const;
/** Re-reads of the instances when one was upgraded or deleted while the event was recorded. */
const MAX_STALE_RETRIES = 3;

function subscribedFlows(manifest: unknown, type: string): string[] {
  const flows = (manifest as { flows?: Record<string, { trigger?: { type?: string; event?: string } }> } | null)?.flows ?? {};
  return Object.entries(flows)
    .filter(([, f]) => f.trigger?.type === "event" && f.trigger.event === type)
    .map(([key]) => key);
}

export async function publishEvent(deps: RecordRunDeps, organizationId: string, event: EventBody): Promise<PublishedEvent> {
  const { db, logger } = deps;
  const pool = hotPool(db);
  if (!pool) throw new Error("app events need a database client made by createDb (src/lib/db.ts)");
  const customer = await db.customer.findFirst({
    where: { organizationId, externalId: event.customer, deletedAt: null },
    select: { id: true },
  });
  if (!customer) throw new AppError("NOT_FOUND", "customer not found", { customer: event.customer });

  // One Buffer for every row: the statement sends its bytes once (execution-batch.ts).
  const { contentType, payload } = jsonPayload(event.payload ?? null);
  const body = payload ?? Buffer.alloc(0);
  const idempotencyKey = event.idempotencyKey ?? null;
  const triggerSource = `event:${event.type}`.slice(0, 200);

  for (let attempt = 0; ; attempt++) {
    const instances = await db.instance.findMany({
      where: { organizationId, customerId: customer.id, deletedAt: null, status: { in: [...RUNNABLE] } },
      select: { id: true, versionId: true },
      orderBy: { createdAt: "asc" },
    });
    if (instances.length === 0) return { executions: [] };
    // Versions are immutable and usually shared by many instances: each is read once.
    const versions = new Map(
      (
        await db.integrationVersion.findMany({
          where: { id: { in: [...new Set(instances.map((i) => i.versionId))] } },
          select: { id: true, sha256: true, manifest: true },
        })
      ).map((v) => [v.id, v]),
    );

    // The ordering key depends only on the version's flow and the payload, so it is computed
    // once per (version, flow); orderingKeyFor reads the bundle from its cache (Postgres only
    // the first time a version is seen by this process), never once per instance.
    const orderingKeys = new Map<string, Promise<string | null>>();
    const rows: EventInsertRow[] = [];
    for (const instance of instances) {
      const version = versions.get(instance.versionId);
      if (!version) continue; // not possible (foreign key); the INSERT re-checks the version anyway
      for (const flowKey of subscribedFlows(version.manifest, event.type)) {
        const memo = `${version.id}\u0000${flowKey}`;
        let key = orderingKeys.get(memo);
        if (!key) orderingKeys.set(memo, (key = orderingKeyFor(db, logger, { version, flowKey, body: payload, contentType })));
        rows.push({
          id: newExecutionId(),
          instanceId: instance.id,
          versionId: version.id,
          flowKey,
          triggerSource,
          contentType,
          payload: body,
          idempotencyKey,
          // PostgreSQL text cannot hold NUL; a key function could return one.
          orderingKey: (await key)?.replaceAll("\u0000", "") ?? null,
        });
      }
    }
    if (rows.length === 0) return { executions: [] };

    const result = await insertEventExecutions(pool, rows);
    if (result === "stale") {
      // An instance was upgraded, rolled back or deleted since it was read: nothing was
      // recorded; read its flows again.
      if (attempt >= MAX_STALE_RETRIES) throw new Error("the customer's instances kept changing while the event was recorded");
      continue;
    }
    const firstRuns = await firstRunIds(pool, rows, result, idempotencyKey);

    // New runs of ACTIVE instances, and repeats whose first run has not started yet: its job may
    // be missing (Redis refused it the first time); re-adding an existing job id is a no-op.
    const toQueue: string[] = [];
    for (const r of rows) {
      const row = result.get(r.id);
      if (row?.status !== "ACTIVE") continue;
      if (row.created) toQueue.push(r.id);
      else {
        const first = firstRuns.get(r.id);
        if (first?.status === "QUEUED") toQueue.push(first.id);
      }
    }
    try {
      await queueRecordedExecutions(deps.queue, toQueue, deps.enqueueTimeoutMs ?? 2_000);
    } catch (err) {
      // Still 202: the rows are committed, and the reconciler adds the jobs of QUEUED runs of
      // ACTIVE instances that have none.
      logger.warn({ err, runs: toQueue.length }, "event fan-out: queue add failed, left for the reconciler");
    }
    return { executions: rows.map((r) => ({ instanceId: r.instanceId, executionId: firstRuns.get(r.id)?.id ?? r.id })) };
  }
}

/** For rows skipped as repeats of their idempotency key: row id → the first run (one query). */
async function firstRunIds(
  pool: NonNullable<ReturnType<typeof hotPool>>,
  rows: EventInsertRow[],
  result: InsertResult,
  idempotencyKey: string | null,
): Promise<Map<string, { id: string; status: string }>> {
  const repeats = rows.filter((r) => !result.get(r.id)?.created);
  const first = new Map<string, { id: string; status: string }>();
  if (repeats.length === 0) return first;
  // Only the unique (instanceId, flowKey, idempotencyKey) index skips a row: a repeat has a key.
  if (idempotencyKey === null) throw new Error("an event run was skipped without an idempotency key");
  const res = await pool.query<{ row_id: string; id: string; status: string }>({
    name: "portico-events-first-runs",
    text: `SELECT d.row_id, e.id, e.status::text AS status FROM unnest($1::text[], $2::text[], $3::text[]) AS d(row_id, instance_id, flow_key)
  JOIN "Execution" e ON e."instanceId" = d.instance_id AND e."flowKey" = d.flow_key AND e."idempotencyKey" = $4`,
    values: [repeats.map((r) => r.id), repeats.map((r) => r.instanceId), repeats.map((r) => r.flowKey), idempotencyKey],
  });
  for (const r of res.rows) first.set(r.row_id, { id: r.id, status: r.status });
  // A first run gone in between (retention) cannot be answered: the caller retries (503).
  if (first.size !== repeats.length) throw new Error("an event's first runs could not be read back");
  return first;
}
