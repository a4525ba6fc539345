import type { WebhookEndpointInput } from "../../routers/instance-webhooks.schema";
import type { OrgScope } from "../../tenancy/scope";
import { recordAudit } from "../audit/record-audit";
import { newWebhookToken } from "./deploy-instance";
import { getOwnedWebhookEndpoint } from "./owned-webhook-endpoint";
import { notifyWebhookEndpointChanged } from "./webhook-endpoint-changes";
import { webhookUrl } from "./webhook-url";

// Rotating a webhook URL replaces its token at once: there is no grace period, the old URL
// answers 404 from the moment the change commits (a leaked URL must stop working now). The
// sender is updated with the new URL; deliveries in between get 404 and are retried by senders
// that retry. Tokens are never logged nor written to the audit log.

export type RotatedWebhook = { flowKey: string; url: string; rotatedAt: Date };

export async function rotateWebhookToken(scope: OrgScope, input: WebhookEndpointInput): Promise<RotatedWebhook> {
  const { endpoint } = await getOwnedWebhookEndpoint(scope, input);
  const token = newWebhookToken();
  const rotatedAt = new Date();
  await scope.db.$transaction(async (tx) => {
    await tx.webhookEndpoint.update({ where: { id: endpoint.id }, data: { token, rotatedAt } });
    await recordAudit(
      scope,
      { action: "webhook.urlRotated", targetType: "instance", targetId: endpoint.instanceId, data: { flowKey: endpoint.flowKey } },
      tx,
    );
  });
  notifyWebhookEndpointChanged({ token: endpoint.token, reason: "url-rotated" });
  return { flowKey: endpoint.flowKey, url: webhookUrl(token), rotatedAt };
}
