import type { StepActor } from "@/engine/rollouts/rollout-steps";
import type { Rollout, RolloutOp } from "@/generated/prisma/client";
import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { attemptUpgrade, checkTarget } from "../instances/upgrade-instance";
import type { Actor, OrgScope } from "../../tenancy/scope";
import { actorName } from "./actor-name";
import { selectSlice, SliceSpec } from "./rollout-slice";

// The rollouts worker's work (engine/rollouts/start-rollout-worker.ts runs it per job): the
// rollout's current step is planned once as RolloutTarget rows (which instances, in which
// order), then done in batches of BATCH_SIZE; after each batch the Rollout row's counts are
// refreshed, so the console shows progress. Everything is idempotent, so a job handed out again
// after its executor died resumes from the PENDING targets:
//   - a target is PENDING until its outcome is written; an instance already on the step's
//     target version counts as moved (it was, just before the crash), never upgraded twice —
//     attemptUpgrade only moves an instance still on the version it was read on;
//   - the step ends with a conditional update (same op, same start), so a step asked for
//     meanwhile (a roll back while the slice was moving) is not marked finished by the old one.

export const BATCH_SIZE = 50;
/** Instances of a batch upgraded at the same time. */
const PARALLEL = 4;
/** Failed targets kept on Rollout.skipped for the console (the counts cover all of them). */
const SKIPPED_SHOWN = 200;

const instanceSelect = { id: true, versionId: true, config: true, statusReason: true, integrationId: true, deletedAt: true } as const;

function actorOf(stored: unknown): Actor {
  const a = stored as StepActor | null;
  if (a?.type === "user" && typeof a.userId === "string") return { type: "user", userId: a.userId, role: a.role as Extract<Actor, { type: "user" }>["role"] };
  if (a?.type === "apiKey" && typeof a.apiKeyId === "string") return { type: "apiKey", apiKeyId: a.apiKeyId };
  return { type: "system" };
}

async function versionsOf(db: Db, r: Rollout) {
  const rows = await db.integrationVersion.findMany({
    where: { id: { in: [r.fromVersionId, r.toVersionId] }, organizationId: r.organizationId },
    omit: { bundle: true, manifest: true },
  });
  const from = rows.find((v) => v.id === r.fromVersionId);
  const to = rows.find((v) => v.id === r.toVersionId);
  if (!from || !to) throw new Error(`rollout ${r.id}: its versions are gone`);
  // A roll back moves the slice from the new version to the old one.
  return r.op === "ROLLBACK" ? { from, to, source: to, target: from } : { from, to, source: from, target: to };
}

/** The instances a step moves, in order (oldest first, as the slice was picked). */
async function planIds(db: Db, r: Rollout & { op: RolloutOp }, sourceId: string): Promise<string[]> {
  const onSource = { organizationId: r.organizationId, versionId: sourceId, deletedAt: null };
  const order = [{ createdAt: "asc" as const }, { id: "asc" as const }];
  switch (r.op) {
    case "START": {
      const candidates = await db.instance.findMany({ where: onSource, orderBy: order, select: { id: true, customer: { select: { labels: true } } } });
      const spec = SliceSpec.safeParse(r.slice);
      return spec.success ? selectSlice(candidates, spec.data).map((c) => c.id) : [];
    }
    case "CONTINUE":
      return (await db.instance.findMany({ where: onSource, orderBy: order, select: { id: true } })).map((i) => i.id);
    case "ROLLBACK": {
      // The slice is whatever this rollout moved to the new version (its upgrade records), even
      // an instance whose start batch died before its target was marked.
      const moved = await db.instanceUpgrade.findMany({
        where: { rolloutId: r.id, toVersionId: r.toVersionId, status: "SUCCEEDED" },
        select: { instanceId: true },
        distinct: ["instanceId"],
      });
      const ids = moved.map((m) => m.instanceId);
      return (await db.instance.findMany({ where: { ...onSource, id: { in: ids } }, orderBy: order, select: { id: true } })).map((i) => i.id);
    }
  }
}

async function plan(db: Db, r: Rollout & { op: RolloutOp }, sourceId: string): Promise<void> {
  const ids = await planIds(db, r, sourceId);
  await db.$transaction(async (tx) => {
    for (let i = 0; i < ids.length; i += 5_000)
      await tx.rolloutTarget.createMany({
        data: ids.slice(i, i + 5_000).map((instanceId, k) => ({ rolloutId: r.id, op: r.op, instanceId, seq: i + k })),
        skipDuplicates: true,
      });
    await tx.rollout.updateMany({ where: { id: r.id, op: r.op, opStartedAt: r.opStartedAt }, data: { opTotal: ids.length } });
  });
}

async function stepCounts(db: Db, rolloutId: string, op: RolloutOp) {
  const rows = await db.rolloutTarget.groupBy({ by: ["status"], where: { rolloutId, op }, _count: { _all: true } });
  const n = (s: string) => rows.find((r) => r.status === s)?._count._all ?? 0;
  return { total: n("PENDING") + n("DONE") + n("FAILED"), done: n("DONE"), failed: n("FAILED") };
}

/** The Rollout row's counts, its slice (what runs the new version) and the instances that stayed, from the targets. */
async function refreshProgress(db: Db, r: Rollout & { op: RolloutOp }) {
  const counts = await stepCounts(db, r.id, r.op);
  const failed = await db.rolloutTarget.findMany({
    where: { rolloutId: r.id, status: "FAILED" },
    orderBy: [{ doneAt: "asc" }, { seq: "asc" }],
    take: SKIPPED_SHOWN,
    select: { instanceId: true, reason: true },
  });
  const slice =
    r.op === "START"
      ? (await db.rolloutTarget.findMany({ where: { rolloutId: r.id, op: "START", status: "DONE" }, orderBy: { seq: "asc" }, select: { instanceId: true } })).map((t) => t.instanceId)
      : undefined;
  await db.rollout.update({
    where: { id: r.id },
    data: { ...(slice && { instanceIds: slice }), ...(failed.length && { skipped: failed.map((f) => ({ instanceId: f.instanceId, reason: f.reason ?? "" })) }) },
  });
  await db.rollout.updateMany({
    where: { id: r.id, op: r.op, opStartedAt: r.opStartedAt },
    data: { opTotal: counts.total, opDone: counts.done, opFailed: counts.failed },
  });
  return counts;
}

async function finishStep(scope: OrgScope, r: Rollout & { op: RolloutOp }, versions: Awaited<ReturnType<typeof versionsOf>>): Promise<void> {
  const counts = await refreshProgress(scope.db, r);
  const same = { id: r.id, op: r.op, opStartedAt: r.opStartedAt, opFinishedAt: null };
  const finished = { opFinishedAt: new Date() };
  const { from } = versions;
  if (r.op === "START") {
    if (counts.done === 0) {
      const first = await scope.db.rolloutTarget.findFirst({ where: { rolloutId: r.id, op: "START", status: "FAILED" }, orderBy: { seq: "asc" }, select: { reason: true } });
      // Nothing moved: there is no canary to watch, and it must not block the next rollout.
      await scope.db.rollout.updateMany({
        where: { ...same, status: "CANARY" },
        data: { ...finished, status: "ROLLED_BACK", decidedAt: new Date(), decision: `no instance of the slice could be upgraded: ${first?.reason ?? `none is on version ${from.number} any more`}` },
      });
    }
    await scope.db.rollout.updateMany({ where: same, data: finished });
  } else if (r.op === "CONTINUE") {
    await scope.db.rollout.updateMany({
      where: same,
      data: { ...finished, decision: `continued by ${await actorName(scope)}: ${counts.done} more upgraded${counts.failed ? `, ${counts.failed} stayed on version ${from.number}` : ""}` },
    });
  } else {
    const tail = counts.failed ? `; ${counts.failed} instance${counts.failed > 1 ? "s" : ""} could not go back` : "";
    await scope.db.rollout.updateMany({ where: same, data: { ...finished, decision: `${r.decision ?? "rolled back"}${tail}` } });
  }
}

async function runBatch(scope: OrgScope, r: Rollout & { op: RolloutOp }, versions: Awaited<ReturnType<typeof versionsOf>>, batchSize: number): Promise<number> {
  const { db } = scope;
  const { source, target } = versions;
  const batch = await db.rolloutTarget.findMany({ where: { rolloutId: r.id, op: r.op, status: "PENDING" }, orderBy: { seq: "asc" }, take: batchSize });
  if (batch.length === 0) return 0;
  const instances = new Map(
    (await db.instance.findMany({ where: { id: { in: batch.map((t) => t.instanceId) }, organizationId: r.organizationId }, select: instanceSelect })).map((i) => [i.id, i]),
  );
  const one = async (t: (typeof batch)[number]) => {
    const instance = instances.get(t.instanceId);
    let reason: string | null = null;
    if (!instance || instance.deletedAt) reason = "the instance was deleted";
    else if (instance.versionId === target.id) reason = null; // moved already (by this step before a crash, or by hand)
    else if (instance.versionId !== source.id) reason = "the instance moved to another version meanwhile";
    else {
      try {
        checkTarget(source, target);
        const result = await attemptUpgrade(scope, instance, source, target, { rolloutId: r.id });
        if (!result.ok) reason = result.reason;
      } catch (err) {
        reason = (err as Error).message ?? String(err);
      }
    }
    await db.rolloutTarget.update({ where: { id: t.id }, data: { status: reason === null ? "DONE" : "FAILED", reason, doneAt: new Date() } });
  };
  // A few instances at once (each is its own small transactions): distinct instances never
  // conflict, and a batch takes a fraction of the time without taking the executor's pool.
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL, batch.length) }, async () => {
      while (next < batch.length) await one(batch[next++]!);
    }),
  );
  await refreshProgress(db, r);
  return batch.length;
}

export interface RunRolloutOptions {
  batchSize?: number;
  /** Stop after this many batches (tests: a worker that dies half-way). */
  maxBatches?: number;
  /** Asked between batches: true when the process is shutting down (the step is resumed later). */
  shouldStop?: () => boolean;
  logger?: Logger;
}

/**
 * Works on a rollout's current step until it is finished, then on any step asked for meanwhile
 * (a roll back while the slice was moving). Returns how many batches it did and whether nothing is left.
 */
export async function runRollout(db: Db, rolloutId: string, opts: RunRolloutOptions = {}): Promise<{ batches: number; settled: boolean }> {
  const batchSize = opts.batchSize ?? BATCH_SIZE;
  let batches = 0;
  for (;;) {
    const found = await db.rollout.findUnique({ where: { id: rolloutId } });
    if (!found || !found.op || found.opFinishedAt) return { batches, settled: true };
    if ((opts.maxBatches !== undefined && batches >= opts.maxBatches) || opts.shouldStop?.()) return { batches, settled: false };
    const r = found as Rollout & { op: RolloutOp };
    const scope: OrgScope = { db, organizationId: r.organizationId, actor: actorOf(r.opActor) };
    const versions = await versionsOf(db, r);
    if ((await db.rolloutTarget.count({ where: { rolloutId: r.id, op: r.op } })) === 0) await plan(db, r, versions.source.id);
    const did = await runBatch(scope, r, versions, batchSize);
    if (did === 0) {
      await finishStep(scope, r, versions);
      opts.logger?.info({ rolloutId, op: r.op }, "rollout step finished");
    } else batches++;
  }
}
