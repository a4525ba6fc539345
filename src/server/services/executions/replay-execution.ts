import { recordRun } from "@/engine/events/record-run";
import type { ErrorClass } from "@/generated/prisma/enums";
import type { Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createLogger } from "@/lib/logger";
import type { ExecutionsQueue } from "@/lib/queues";
import { getOwnedCustomer, getOwnedExecution, getOwnedInstance, inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { recordAudit } from "../audit/record-audit";
import { getExecutionsQueue } from "./run-queues";

// Replays: FAILED runs are the dead-letter list; a replay is a new run (replayOfId → the
// original) with the original payload, on the instance's current version (the usual reason to
// replay is a fix). From a chosen step, the steps before it are copied as completed, so their
// results are reused and their side effects are not repeated.

const log = createLogger("replay");
const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);
const BULK_LIMIT = 500;

export interface ReplayInput {
  id: string;
  /** seq of the first step to run again (1 = the whole run). */
  fromStep?: number;
}

export async function replayExecution(scope: OrgScope, input: ReplayInput, queue?: ExecutionsQueue) {
  const source = await getOwnedExecution(scope, input.id);
  if (!TERMINAL.has(source.status))
    throw new AppError("CONFLICT", `a ${source.status.toLowerCase()} run cannot be replayed yet`, { status: source.status });
  const instance = await getOwnedInstance(scope, source.instanceId);

  let memoizedSteps: Parameters<typeof recordRun>[2]["memoizedSteps"] = [];
  if (input.fromStep !== undefined && input.fromStep > 1) {
    const steps = await scope.db.stepRun.findMany({
      where: { executionId: source.id, seq: { lt: input.fromStep } },
      orderBy: { seq: "asc" },
      select: { seq: true, name: true, status: true, output: true, attempt: true, startedAt: true, finishedAt: true },
    });
    const complete = steps.length === input.fromStep - 1 && steps.every((s, i) => s.seq === i + 1 && s.status === "SUCCEEDED");
    if (!complete)
      throw new AppError("BAD_INPUT", `the run can only be replayed from a step whose earlier steps all completed (step ${input.fromStep})`, { field: "fromStep" });
    memoizedSteps = steps.map((s) => ({ ...s, output: s.output as Prisma.InputJsonValue | null }));
  }

  const run = await recordRun({ db: scope.db, queue: queue ?? getExecutionsQueue(), logger: log }, instance, {
    flowKey: source.flowKey,
    triggerType: source.triggerType,
    triggerSource: input.fromStep && input.fromStep > 1 ? `replay:step ${input.fromStep}` : "replay",
    contentType: source.contentType,
    payload: source.payload ? Buffer.from(source.payload) : null,
    orderingKey: source.orderingKey,
    replayOfId: source.id,
    memoizedSteps,
  });
  await recordAudit(scope, {
    action: "execution.replayed",
    targetType: "execution",
    targetId: source.id,
    data: { replayId: run.executionId, ...(input.fromStep ? { fromStep: input.fromStep } : {}) },
  });
  return { executionId: run.executionId, replayOfId: source.id, queued: run.queued };
}

export type BulkReplayResult = {
  replays: { id: string; executionId: string }[];
  errors: { id: string; code: string; message: string }[];
};

/** Replays each run whole; one that cannot be replayed is reported, the others still go. */
export async function replayMany(scope: OrgScope, ids: string[], queue?: ExecutionsQueue): Promise<BulkReplayResult> {
  if (ids.length > BULK_LIMIT) throw new AppError("BAD_INPUT", `at most ${BULK_LIMIT} runs at once`, { field: "ids" });
  const result: BulkReplayResult = { replays: [], errors: [] };
  for (const id of [...new Set(ids)]) {
    try {
      const r = await replayExecution(scope, { id }, queue);
      result.replays.push({ id, executionId: r.executionId });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      result.errors.push({ id, code: err.code, message: err.message });
    }
  }
  return result;
}

export interface FailedFilter {
  instanceId?: string;
  customerId?: string;
  flowKey?: string;
  errorClass?: ErrorClass;
  since?: Date;
}

/** Replays the dead-letter list: FAILED runs matching the filter that were not replayed before. */
export async function replayFailed(scope: OrgScope, filter: FailedFilter, queue?: ExecutionsQueue): Promise<BulkReplayResult> {
  // Another organization's ids are NOT_FOUND, as everywhere.
  if (filter.instanceId) await getOwnedInstance(scope, filter.instanceId);
  if (filter.customerId) await getOwnedCustomer(scope, filter.customerId);
  const rows = await scope.db.execution.findMany({
    where: {
      ...inOrg(scope),
      status: "FAILED",
      replays: { none: {} },
      instance: { deletedAt: null },
      ...(filter.instanceId ? { instanceId: filter.instanceId } : {}),
      ...(filter.customerId ? { customerId: filter.customerId } : {}),
      ...(filter.flowKey ? { flowKey: filter.flowKey } : {}),
      ...(filter.errorClass ? { errorClass: filter.errorClass } : {}),
      ...(filter.since ? { queuedAt: { gte: filter.since } } : {}),
    },
    select: { id: true },
    orderBy: { queuedAt: "asc" },
    take: BULK_LIMIT,
  });
  return replayMany(scope, rows.map((r) => r.id), queue);
}
