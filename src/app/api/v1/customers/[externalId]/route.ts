import { deleteCustomerEndpoint, getCustomerEndpoint, updateCustomerEndpoint } from "@/server/rest/endpoints/customers";
import { routeHandlers } from "@/server/rest/handler";

export const dynamic = "force-dynamic";
export const { GET, PATCH, DELETE } = routeHandlers({
  GET: getCustomerEndpoint,
  PATCH: updateCustomerEndpoint,
  DELETE: deleteCustomerEndpoint,
});
