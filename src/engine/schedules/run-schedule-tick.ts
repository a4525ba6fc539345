import type { Prisma } from "@/lib/db";
import { jsonPayload, recordRun, type RecordRunDeps } from "../events/record-run";
import { scheduledFlowsOf } from "./sync-schedules";

// One cron tick of one instance's flow → at most one SCHEDULE run. Exactly-once per tick comes
// from PostgreSQL, not from Redis: the run's idempotency key is `schedule:<tick time>`, so however
// many workers (or re-delivered tick jobs) record the same tick, the unique index keeps one.
//
// Overlap policy "skip" (the default): when a run of the flow is still QUEUED, RUNNING or
// RETRYING for the instance, the tick records nothing (a debug log line only) — the next tick
// will catch up; a scheduled sync should not pile up behind itself. "queue" records the run anyway.

export type TickOutcome = "recorded" | "duplicate" | "skipped-overlap" | "inactive";

export async function runScheduleTick(
  deps: RecordRunDeps,
  tick: { instanceId: string; flowKey: string; tickAt: Date },
): Promise<{ outcome: TickOutcome; executionId?: string }> {
  const { db } = deps;
  const instance = await db.instance.findUnique({
    where: { id: tick.instanceId },
    select: {
      id: true,
      organizationId: true,
      customerId: true,
      versionId: true,
      status: true,
      deletedAt: true,
      config: true,
      version: { select: { manifest: true } },
    },
  });
  // A tick that fires after a pause/delete (the scheduler removal raced it) is dropped.
  if (!instance || instance.status !== "ACTIVE" || instance.deletedAt) return { outcome: "inactive" };
  const flow = scheduledFlowsOf(instance.version.manifest, instance.config).find((f) => f.flowKey === tick.flowKey);
  if (!flow) return { outcome: "inactive" };

  const overlap = (instance.version.manifest as { flows?: Record<string, { trigger?: { overlap?: string } }> }).flows?.[tick.flowKey]?.trigger?.overlap ?? "skip";
  // Two ticks handled at once by two workers must not both find the flow idle: the check and
  // the insert share a transaction under an advisory lock on (instance, flow).
  const guard =
    overlap === "skip"
      ? {
          lockKey: `schedule:${instance.id}:${tick.flowKey}`,
          allow: async (tx: Prisma.TransactionClient) =>
            !(await tx.execution.findFirst({
              where: { instanceId: instance.id, flowKey: tick.flowKey, status: { in: ["QUEUED", "RUNNING", "RETRYING"] } },
              select: { id: true },
            })),
        }
      : undefined;

  const at = tick.tickAt.toISOString();
  const { contentType, payload } = jsonPayload({ scheduledAt: at });
  const run = await recordRun(deps, instance, {
    flowKey: tick.flowKey,
    triggerType: "SCHEDULE",
    triggerSource: `schedule:${flow.cron}${flow.timezone !== "UTC" ? ` ${flow.timezone}` : ""}`.slice(0, 200),
    contentType,
    payload,
    idempotencyKey: `schedule:${at}`,
    ...(guard ? { guard } : {}),
  });
  if (!run.executionId) {
    deps.logger.debug({ instanceId: instance.id, flowKey: tick.flowKey }, "schedule tick skipped: the previous run is still going");
    return { outcome: "skipped-overlap" };
  }
  return { outcome: run.created ? "recorded" : "duplicate", executionId: run.executionId };
}
