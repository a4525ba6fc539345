import { cancelExecutionEndpoint } from "@/server/rest/endpoints/runs";
import { routeHandlers } from "@/server/rest/handler";

export const dynamic = "force-dynamic";
export const { POST } = routeHandlers({ POST: cancelExecutionEndpoint });
