import { listCustomersEndpoint, upsertCustomerEndpoint } from "@/server/rest/endpoints/customers";
import { routeHandlers } from "@/server/rest/handler";

export const dynamic = "force-dynamic";
export const { GET, POST } = routeHandlers({ GET: listCustomersEndpoint, POST: upsertCustomerEndpoint });
