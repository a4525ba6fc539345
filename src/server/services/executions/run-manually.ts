import { jsonPayload, recordRun } from "@/engine/events/record-run";
import { orderingKeyFor } from "@/engine/ordering/ordering-key";
import { createLogger } from "@/lib/logger";
import { AppError } from "@/lib/errors";
import type { ExecutionsQueue } from "@/lib/queues";
import { getOwnedInstance } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { recordAudit } from "../audit/record-audit";
import { getExecutionsQueue } from "./run-queues";

const log = createLogger("run-manually");

export interface RunManuallyInput {
  instanceId: string;
  flowKey: string;
  /** Handed to the flow as ctx.trigger.payload (JSON). */
  payload?: unknown;
}

/**
 * Starts one run of any flow of an instance now, with a payload (console "Run now", the API).
 * A paused instance records it held, to run on resume.
 */
export async function runManually(scope: OrgScope, input: RunManuallyInput, queue?: ExecutionsQueue) {
  const owned = await getOwnedInstance(scope, input.instanceId);
  const version = await scope.db.integrationVersion.findUniqueOrThrow({ where: { id: owned.versionId }, select: { id: true, sha256: true, manifest: true } });
  const flows = (version.manifest as { flows?: Record<string, unknown> } | null)?.flows ?? {};
  if (!(input.flowKey in flows))
    throw new AppError("BAD_INPUT", `the integration has no flow "${input.flowKey}"`, { field: "flowKey", flows: Object.keys(flows) });

  const { contentType, payload } = jsonPayload(input.payload ?? null);
  const orderingKey = await orderingKeyFor(scope.db, log, { version, flowKey: input.flowKey, body: payload, contentType });
  const run = await recordRun({ db: scope.db, queue: queue ?? getExecutionsQueue(), logger: log }, owned, {
    flowKey: input.flowKey,
    triggerType: "MANUAL",
    triggerSource: scope.actor.type === "user" ? "console" : scope.actor.type === "apiKey" ? "api" : "system",
    contentType,
    payload,
    orderingKey,
  });
  await recordAudit(scope, { action: "execution.started", targetType: "execution", targetId: run.executionId, data: { instanceId: owned.id, flowKey: input.flowKey } });
  return { executionId: run.executionId, queued: run.queued };
}
