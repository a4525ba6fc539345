import { newSigningSecret, signingSecretContext } from "@/engine/ingest/verify-signature";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import type { WebhookEndpointInput } from "../../routers/instance-webhooks.schema";
import type { OrgScope } from "../../tenancy/scope";
import { recordAudit } from "../audit/record-audit";
import { getOwnedWebhookEndpoint } from "./owned-webhook-endpoint";
import { notifyWebhookEndpointChanged } from "./webhook-endpoint-changes";

// A webhook flow's HMAC signing secret is per instance, stored encrypted (src/lib/crypto, bound to
// its instance and flow). Builders reveal it to configure the sender and rotate it when it leaks.
// Both are audit-logged (without the secret); the secret is never logged. Rotation has no grace
// period: deliveries signed with the old secret get 401 from the moment it commits, so update
// the sender right after (senders that retry deliver them then).

export type SigningSecret = { flowKey: string; signingSecret: string | null };

export async function revealSigningSecret(scope: OrgScope, input: WebhookEndpointInput): Promise<SigningSecret> {
  const { instance, endpoint } = await getOwnedWebhookEndpoint(scope, input);
  if (!endpoint.signingSecret) return { flowKey: endpoint.flowKey, signingSecret: null };
  const secret = await decryptSecret(scope.db, scope.organizationId, endpoint.signingSecret, {
    context: signingSecretContext(instance.id, endpoint.flowKey),
  });
  await recordAudit(scope, { action: "webhook.signingSecretRevealed", targetType: "instance", targetId: instance.id, data: { flowKey: endpoint.flowKey } });
  notifyWebhookEndpointChanged({ token: endpoint.token, reason: "signing-secret-rotated" });
  return { flowKey: endpoint.flowKey, signingSecret: secret };
}

/** A new secret replaces the old one (created if the endpoint had none); returned once, here. */
export async function rotateSigningSecret(scope: OrgScope, input: WebhookEndpointInput): Promise<SigningSecret & { signingSecret: string }> {
  const { instance, endpoint } = await getOwnedWebhookEndpoint(scope, input);
  const secret = newSigningSecret();
  const ciphertext = await encryptSecret(scope.db, scope.organizationId, secret, { context: signingSecretContext(instance.id, endpoint.flowKey) });
  await scope.db.$transaction(async (tx) => {
    await tx.webhookEndpoint.update({ where: { id: endpoint.id }, data: { signingSecret: ciphertext } });
    await recordAudit(
      scope,
      { action: endpoint.signingSecret ? "webhook.signingSecretRotated" : "webhook.signingSecretCreated", targetType: "instance", targetId: instance.id, data: { flowKey: endpoint.flowKey } },
      tx,
    );
  });
  notifyWebhookEndpointChanged({ token: endpoint.token, reason: "signing-secret-rotated" });
  return { flowKey: endpoint.flowKey, signingSecret: secret };
}
