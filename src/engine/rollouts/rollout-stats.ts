import type { Db, Prisma } from "@/lib/db";
import { BASELINE_LOOKBACK_MS, failureRate, judgeCanary, type CanaryVerdict, type RunCounts } from "./canary-rule";

export interface RolloutForStats {
  fromVersionId: string;
  toVersionId: string;
  instanceIds: string[];
  startedAt: Date;
  decidedAt: Date | null;
}

export interface RolloutStats {
  /** The slice's runs on the new version since the rollout started. */
  slice: RunCounts & { rate: number | null };
  /** The other instances' runs on the old version since the rollout started. */
  rest: RunCounts & { rate: number | null };
  /** Every run of the old version since a day before the rollout: what the halt rule compares with. */
  baseline: RunCounts & { rate: number | null };
  verdict: CanaryVerdict;
}

async function counts(db: Db, where: Prisma.ExecutionWhereInput): Promise<RunCounts & { rate: number | null }> {
  // Two small counts on indexed columns; cheap enough for the executor's periodic check.
  const rows = await db.execution.groupBy({
    by: ["status"],
    where: { ...where, status: { in: ["SUCCEEDED", "FAILED"] } },
    _count: { _all: true },
  });
  const failed = rows.find((r) => r.status === "FAILED")?._count._all ?? 0;
  const terminal = rows.reduce((sum, r) => sum + r._count._all, 0);
  return { terminal, failed, rate: failureRate({ terminal, failed }) };
}

/** Failure rates of a rollout's slice, of the rest, and of the old version, with the halt verdict. */
export async function rolloutStats(db: Db, rollout: RolloutForStats): Promise<RolloutStats> {
  const until = rollout.decidedAt ?? undefined;
  const since = { gte: rollout.startedAt, ...(until && { lte: until }) };
  const [slice, rest, baseline] = await Promise.all([
    counts(db, { instanceId: { in: rollout.instanceIds }, versionId: rollout.toVersionId, finishedAt: since }),
    counts(db, { instanceId: { notIn: rollout.instanceIds }, versionId: rollout.fromVersionId, finishedAt: since }),
    counts(db, {
      versionId: rollout.fromVersionId,
      finishedAt: { gte: new Date(rollout.startedAt.getTime() - BASELINE_LOOKBACK_MS), ...(until && { lte: until }) },
    }),
  ]);
  return { slice, rest, baseline, verdict: judgeCanary(slice, baseline) };
}
