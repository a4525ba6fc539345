import { listVersionsEndpoint, publishVersionEndpoint } from "@/server/rest/endpoints/integration-versions";
import { routeHandlers } from "@/server/rest/handler";

export const dynamic = "force-dynamic";
// No PATCH/PUT/DELETE: a published version is immutable.
export const { GET, POST } = routeHandlers({ GET: listVersionsEndpoint, POST: publishVersionEndpoint });
