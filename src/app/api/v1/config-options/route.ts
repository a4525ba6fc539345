import { configOptionsEndpoint } from "@/server/rest/endpoints/config-options";
import { routeHandlers } from "@/server/rest/handler";

export const dynamic = "force-dynamic";
export const { POST } = routeHandlers({ POST: configOptionsEndpoint });
