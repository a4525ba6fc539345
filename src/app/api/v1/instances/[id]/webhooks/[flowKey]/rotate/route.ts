import { rotateWebhookUrlEndpoint } from "@/server/rest/endpoints/instance-webhooks";
import { routeHandlers } from "@/server/rest/handler";

export const dynamic = "force-dynamic";
export const { POST } = routeHandlers({ POST: rotateWebhookUrlEndpoint });
