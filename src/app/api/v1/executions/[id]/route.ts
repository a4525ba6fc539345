import { getExecutionEndpoint } from "@/server/rest/endpoints/executions";
import { routeHandlers } from "@/server/rest/handler";

export const dynamic = "force-dynamic";
export const { GET } = routeHandlers({ GET: getExecutionEndpoint });
