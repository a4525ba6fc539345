import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { enqueueExecution, type ExecutionsQueue } from "@/lib/queues";
import { recordRun } from "../events/record-run";

// The breaker. N consecutive failed runs of an instance (Instance.consecutiveFailures, kept by
// the executor; N = the failing flow's breaker.failures, default 10) trip it: the instance
// becomes NEEDS_ATTENTION (its runs are held, as when paused), one AlertEvent is raised, and a
// half-open probe is scheduled after the cool-down: a replay of the run that tripped it. The
// probe alone may run while the instance needs attention; its success closes the breaker
// (ACTIVE, counter reset, alert resolved, held runs queued), its failure schedules the next probe.
// AUTH failures do not wait for N: the customer must reconnect, so the instance stops at once
// and the connection is marked EXPIRED (no probe: it would fail until the reconnect).

export const PROBE_SOURCE = "breaker-probe";
export const DEFAULT_BREAKER = { failures: 10, coolDownMs: 5 * 60_000 } as const;
export const BREAKER_ALERT = "instance.breaker-open";
export const AUTH_ALERT = "instance.auth-failed";

export interface BreakerDeps {
  db: Db;
  queue: ExecutionsQueue;
  logger: Logger;
}

export interface FailedRun {
  id: string;
  organizationId: string;
  instanceId: string;
  flowKey: string;
  triggerSource: string | null;
}

export interface BreakerPolicy {
  failures?: number;
  coolDownMs?: number;
}

/** Records the half-open probe (a replay of `failedRunId`) to run after `coolDownMs`; one per failed run. */
export async function scheduleProbe(deps: BreakerDeps, failedRunId: string, coolDownMs: number): Promise<string | null> {
  const source = await deps.db.execution.findUniqueOrThrow({
    where: { id: failedRunId },
    select: {
      id: true,
      flowKey: true,
      triggerType: true,
      contentType: true,
      payload: true,
      orderingKey: true,
      instance: { select: { id: true, organizationId: true, customerId: true, versionId: true, status: true } },
    },
  });
  const probe = await recordRun(deps, source.instance, {
    flowKey: source.flowKey,
    triggerType: source.triggerType,
    triggerSource: PROBE_SOURCE,
    contentType: source.contentType,
    payload: source.payload ? Buffer.from(source.payload) : null,
    orderingKey: source.orderingKey,
    replayOfId: source.id,
    // One probe per failed run, however often this is called for it.
    idempotencyKey: `probe:${source.id}`,
    queueWhenHeld: true,
    delayMs: coolDownMs,
  });
  deps.logger.info({ instanceId: source.instance.id, probeId: probe.executionId, coolDownMs }, "breaker: probe scheduled");
  return probe.executionId;
}

async function stopForAuth(deps: BreakerDeps, run: FailedRun, app: string | undefined, message: string) {
  const { db } = deps;
  const reason = "A connection's credentials were refused: reconnect the account, then resume the integration.";
  const stopped = await db.instance.updateMany({
    where: { id: run.instanceId, status: "ACTIVE" },
    data: { status: "NEEDS_ATTENTION", statusReason: reason },
  });
  const bindings = await db.instanceConnection.findMany({
    where: { instanceId: run.instanceId },
    select: { connection: { select: { id: true, appKey: true, authType: true } } },
  });
  const refused = bindings
    .map((b) => b.connection)
    .filter((c) => c.authType !== "NONE" && (app === undefined || c.appKey === app));
  if (refused.length)
    await db.connection.updateMany({
      where: { id: { in: refused.map((c) => c.id) }, status: "ACTIVE" },
      data: { status: "EXPIRED", statusReason: "the app refused the credentials; reconnect needed" },
    });
  if (stopped.count === 1) {
    await db.alertEvent.create({
      data: {
        organizationId: run.organizationId,
        kind: AUTH_ALERT,
        instanceId: run.instanceId,
        message: reason,
        data: { executionId: run.id, connectionIds: refused.map((c) => c.id), error: message.slice(0, 500) },
      },
    });
    deps.logger.warn({ instanceId: run.instanceId, executionId: run.id }, "breaker: AUTH failure, instance needs attention");
  }
}

/** After a run ended FAILED (its row and the instance's counter already committed). */
export async function afterRunFailed(
  deps: BreakerDeps,
  run: FailedRun,
  failure: { errorClass: string; app?: string; message: string },
  policy: BreakerPolicy = {},
): Promise<void> {
  const { db } = deps;
  if (failure.errorClass === "AUTH") return stopForAuth(deps, run, failure.app, failure.message);

  const failures = policy.failures ?? DEFAULT_BREAKER.failures;
  const coolDownMs = policy.coolDownMs ?? DEFAULT_BREAKER.coolDownMs;
  const instance = await db.instance.findUniqueOrThrow({ where: { id: run.instanceId }, select: { status: true, consecutiveFailures: true } });

  if (run.triggerSource === PROBE_SOURCE) {
    // Half-open probe failed: stay open, try again after another cool-down.
    if (instance.status === "NEEDS_ATTENTION") await scheduleProbe(deps, run.id, coolDownMs);
    return;
  }
  if (instance.status !== "ACTIVE" || instance.consecutiveFailures < failures) return;

  // Conditional on ACTIVE: of several runs failing at once, exactly one trips the breaker.
  const reason = `${instance.consecutiveFailures} runs in a row failed; paused until a test run succeeds.`;
  const tripped = await db.instance.updateMany({
    where: { id: run.instanceId, status: "ACTIVE", consecutiveFailures: { gte: failures } },
    data: { status: "NEEDS_ATTENTION", statusReason: reason },
  });
  if (tripped.count !== 1) return;
  await db.alertEvent.create({
    data: {
      organizationId: run.organizationId,
      kind: BREAKER_ALERT,
      instanceId: run.instanceId,
      message: reason,
      data: { executionId: run.id, flowKey: run.flowKey, consecutiveFailures: instance.consecutiveFailures, coolDownMs },
    },
  });
  deps.logger.warn({ instanceId: run.instanceId, failures: instance.consecutiveFailures }, "breaker: open, instance needs attention");
  await scheduleProbe(deps, run.id, coolDownMs);
}

/** After a run SUCCEEDED: a successful probe closes the breaker. */
export async function afterRunSucceeded(deps: BreakerDeps, run: { id: string; instanceId: string; triggerSource: string | null }): Promise<void> {
  if (run.triggerSource !== PROBE_SOURCE) return;
  const { db } = deps;
  const closed = await db.instance.updateMany({
    where: { id: run.instanceId, status: "NEEDS_ATTENTION" },
    data: { status: "ACTIVE", statusReason: null, consecutiveFailures: 0 },
  });
  if (closed.count !== 1) return;
  await db.alertEvent.updateMany({
    where: { instanceId: run.instanceId, kind: BREAKER_ALERT, resolvedAt: null },
    data: { resolvedAt: new Date() },
  });
  // The runs held while the breaker was open go now (the reconciler would, a little later).
  const held = await db.execution.findMany({
    where: { instanceId: run.instanceId, status: { in: ["QUEUED", "RETRYING"] } },
    select: { id: true, status: true, attempt: true },
    orderBy: { queuedAt: "asc" },
    take: 1_000,
  });
  for (const h of held) {
    await enqueueExecution(deps.queue, h.id, { attempt: h.status === "QUEUED" ? 0 : h.attempt }).catch((err: unknown) =>
      deps.logger.warn({ err, executionId: h.id }, "breaker: could not queue a held run; left for the reconciler"),
    );
  }
  deps.logger.info({ instanceId: run.instanceId, released: held.length }, "breaker: probe succeeded, instance active again");
}
