import { getInstanceEndpoint } from "@/server/rest/endpoints/instances";
import { routeHandlers } from "@/server/rest/handler";

export const dynamic = "force-dynamic";
export const { GET } = routeHandlers({ GET: getInstanceEndpoint });
