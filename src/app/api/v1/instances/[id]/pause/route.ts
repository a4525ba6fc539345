import { pauseInstanceEndpoint } from "@/server/rest/endpoints/instance-actions";
import { routeHandlers } from "@/server/rest/handler";

export const dynamic = "force-dynamic";
export const { POST } = routeHandlers({ POST: pauseInstanceEndpoint });
