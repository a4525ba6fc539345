import { z } from "zod";
import { Id } from "../../routers/common.schema";
import { rotateWebhookToken } from "../../services/instances/rotate-webhook-token";
import { revealSigningSecret, rotateSigningSecret } from "../../services/instances/signing-secret";
import { defineEndpoint } from "../handler";
import { Timestamp } from "../json";

const WebhookParams = z.object({ id: Id, flowKey: z.string().trim().min(1).max(100).meta({ description: "the webhook flow's key" }) });

const RotatedWebhook = z
  .object({ flowKey: z.string(), url: z.string().meta({ description: "the new webhook URL; the old one answers 404 from now on" }), rotatedAt: Timestamp })
  .meta({ id: "RotatedWebhook" });

const SigningSecret = z
  .object({ flowKey: z.string(), signingSecret: z.string().nullable().meta({ description: "whsec_…; null when the endpoint has none" }) })
  .meta({ id: "SigningSecret" });

export const rotateWebhookUrlEndpoint = defineEndpoint({
  method: "POST",
  path: "/api/v1/instances/{id}/webhooks/{flowKey}/rotate",
  operationId: "rotateWebhookUrl",
  summary: "Give a webhook flow a new URL. No grace period: the old URL answers 404 at once, so update the sender right after.",
  params: WebhookParams,
  response: RotatedWebhook,
  run: (scope, { params }) => rotateWebhookToken(scope, { instanceId: params.id, flowKey: params.flowKey }),
});

export const getSigningSecretEndpoint = defineEndpoint({
  method: "GET",
  path: "/api/v1/instances/{id}/webhooks/{flowKey}/signing-secret",
  operationId: "getSigningSecret",
  summary: "Reveal a webhook flow's HMAC signing secret (per instance), to configure the sender. Audit-logged.",
  params: WebhookParams,
  response: SigningSecret,
  run: (scope, { params }) => revealSigningSecret(scope, { instanceId: params.id, flowKey: params.flowKey }),
});

export const rotateSigningSecretEndpoint = defineEndpoint({
  method: "POST",
  path: "/api/v1/instances/{id}/webhooks/{flowKey}/signing-secret/rotate",
  operationId: "rotateSigningSecret",
  summary:
    "Replace a webhook flow's signing secret (created if it had none) and return it. No grace period: deliveries signed with the old secret get 401 from now on.",
  params: WebhookParams,
  response: SigningSecret,
  run: (scope, { params }) => rotateSigningSecret(scope, { instanceId: params.id, flowKey: params.flowKey }),
});
