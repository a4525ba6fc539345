import { getProducerQueue } from "../producer-redis";
import { listInstances } from "../services/instances/list-instances";
import { pauseInstance } from "../services/instances/pause-instance";
import { resumeInstance } from "../services/instances/resume-instance";
import { upgradeInstance } from "../services/instances/upgrade-instance";
import { deployAndDescribe } from "../services/instances/deploy-and-describe";
import { getInstanceSetup } from "../services/instances/get-instance-setup";
import { listDeployTargets } from "../services/instances/list-deploy-targets";
import { updateInstanceConfig } from "../services/instances/update-instance-config";
import { DeployInstanceInput, UpdateInstanceConfigInput } from "./instance-config.schema";
import { getInstanceDetail } from "../services/instances/get-instance-detail";
import { rotateWebhookToken } from "../services/instances/rotate-webhook-token";
import { revealSigningSecret, rotateSigningSecret } from "../services/instances/signing-secret";
import { WebhookEndpointInput } from "./instance-webhooks.schema";
import { orgProcedure, router } from "../trpc";
import { InstanceIdInput, PauseInstanceInput, UpgradeInstanceInput } from "./versions.schema";

export const instancesRouter = router({
  list: orgProcedure("SUPPORT").query(({ ctx }) => listInstances(ctx.scope)),
  // The instance page: customer, version, connections, flows, webhook URLs (no secrets).
  detail: orgProcedure("SUPPORT")
    .input(InstanceIdInput)
    .query(({ ctx, input }) => getInstanceDetail(ctx.scope, input.instanceId)),
  // Webhook URL and signing secret: builders configure senders, so they reveal and rotate them.
  rotateWebhookUrl: orgProcedure("BUILDER")
    .input(WebhookEndpointInput)
    .mutation(({ ctx, input }) => rotateWebhookToken(ctx.scope, input)),
  revealSigningSecret: orgProcedure("BUILDER")
    .input(WebhookEndpointInput)
    .mutation(({ ctx, input }) => revealSigningSecret(ctx.scope, input)),
  rotateSigningSecret: orgProcedure("BUILDER")
    .input(WebhookEndpointInput)
    .mutation(({ ctx, input }) => rotateSigningSecret(ctx.scope, input)),
  // Support may pause a misbehaving instance and resume it (DESIGN: "pause a bad instance").
  pause: orgProcedure("SUPPORT")
    .input(PauseInstanceInput)
    .mutation(({ ctx, input }) => pauseInstance(ctx.scope, input)),
  resume: orgProcedure("SUPPORT")
    .input(InstanceIdInput)
    .mutation(({ ctx, input }) => resumeInstance(ctx.scope, input, { queue: getProducerQueue() })),
  upgrade: orgProcedure("BUILDER")
    .input(UpgradeInstanceInput)
    .mutation(({ ctx, input }) => upgradeInstance(ctx.scope, input)),
  // Deploying and configuring on a customer's behalf (the config wizard in the console).
  deployTargets: orgProcedure("BUILDER").query(({ ctx }) => listDeployTargets(ctx.scope)),
  deploy: orgProcedure("BUILDER")
    .input(DeployInstanceInput)
    .mutation(({ ctx, input }) => deployAndDescribe(ctx.scope, input)),
  setup: orgProcedure("BUILDER")
    .input(InstanceIdInput)
    .query(({ ctx, input }) => getInstanceSetup(ctx.scope, input.instanceId)),
  updateConfig: orgProcedure("BUILDER")
    .input(UpdateInstanceConfigInput)
    .mutation(({ ctx, input }) => updateInstanceConfig(ctx.scope, input)),
});
