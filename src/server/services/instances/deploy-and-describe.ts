import type { OrgScope } from "../../tenancy/scope";
import { deployInstance, type DeployInstanceInput } from "./deploy-instance";
import { webhookUrl } from "./webhook-url";

/**
 * deployInstance for a person at a screen: the webhook URLs spelled out, and each signing secret
 * (shown once: only its ciphertext is kept).
 */
export async function deployAndDescribe(scope: OrgScope, input: DeployInstanceInput) {
  const deployed = await deployInstance(scope, input);
  return {
    id: deployed.id,
    name: deployed.name,
    webhooks: deployed.webhooks.map((w) => ({
      flowKey: w.flowKey,
      url: webhookUrl(w.token),
      ...("signingSecret" in w && typeof w.signingSecret === "string" ? { signingSecret: w.signingSecret } : {}),
    })),
  };
}
