import { AppError } from "@/lib/errors";
import type { WebhookEndpointInput } from "../../routers/instance-webhooks.schema";
import { getOwnedInstance } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";

/** The endpoint of one of the scope's instances × flow; another org's instance or an unknown flow: NOT_FOUND. */
export async function getOwnedWebhookEndpoint(scope: OrgScope, input: WebhookEndpointInput) {
  const instance = await getOwnedInstance(scope, input.instanceId);
  const endpoint = await scope.db.webhookEndpoint.findUnique({
    where: { instanceId_flowKey: { instanceId: instance.id, flowKey: input.flowKey } },
  });
  if (!endpoint || endpoint.organizationId !== scope.organizationId)
    throw new AppError("NOT_FOUND", "webhook not found", { flowKey: input.flowKey });
  return { instance, endpoint };
}
