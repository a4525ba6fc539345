import { z } from "zod";
import { AppError } from "@/lib/errors";
import { orderingKeyFor } from "../ordering/ordering-key";
import { jsonPayload, recordRun, type RecordRunDeps } from "./record-run";

// App events: the vendor's backend (or its lean plugin) posts one event for one customer, and
// every instance of that customer whose flow subscribes to the event type gets one run. Paused
// instances (and those the breaker stopped) record theirs as held runs: they run on resume.

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

function subscribedFlows(manifest: unknown, type: string): string[] {
  const flows = (manifest as { flows?: Record<string, { trigger?: { type?: string; event?: string } }> } | null)?.flows ?? {};
  return Object.entries(flows)
    .filter(([, f]) => f.trigger?.type === "event" && f.trigger.event === type)
    .map(([key]) => key);
}

export async function publishEvent(deps: RecordRunDeps, organizationId: string, event: EventBody): Promise<PublishedEvent> {
  const { db } = deps;
  const customer = await db.customer.findFirst({
    where: { organizationId, externalId: event.customer, deletedAt: null },
    select: { id: true },
  });
  if (!customer) throw new AppError("NOT_FOUND", "customer not found", { customer: event.customer });

  const instances = await db.instance.findMany({
    where: { organizationId, customerId: customer.id, deletedAt: null, status: { in: [...RUNNABLE] } },
    select: {
      id: true,
      organizationId: true,
      customerId: true,
      versionId: true,
      status: true,
      version: { select: { id: true, sha256: true, manifest: true } },
    },
    orderBy: { createdAt: "asc" },
  });

  const { contentType, payload } = jsonPayload(event.payload ?? null);
  const executions: PublishedEvent["executions"] = [];
  for (const instance of instances) {
    for (const flowKey of subscribedFlows(instance.version.manifest, event.type)) {
      const orderingKey = await orderingKeyFor(db, deps.logger, { version: instance.version, flowKey, body: payload, contentType });
      const run = await recordRun(deps, instance, {
        flowKey,
        triggerType: "EVENT",
        triggerSource: `event:${event.type}`.slice(0, 200),
        contentType,
        payload,
        idempotencyKey: event.idempotencyKey ?? null,
        orderingKey,
      });
      executions.push({ instanceId: instance.id, executionId: run.executionId });
    }
  }
  return { executions };
}
