import { listIntegrationsEndpoint } from "@/server/rest/endpoints/integrations";
import { routeHandlers } from "@/server/rest/handler";

export const dynamic = "force-dynamic";
export const { GET } = routeHandlers({ GET: listIntegrationsEndpoint });
