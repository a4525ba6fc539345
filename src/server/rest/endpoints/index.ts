import type { AnyEndpoint } from "../handler";
import {
  deleteCustomerEndpoint,
  getCustomerEndpoint,
  listCustomersEndpoint,
  updateCustomerEndpoint,
  upsertCustomerEndpoint,
} from "./customers";
import { getExecutionEndpoint, listExecutionsEndpoint } from "./executions";
import { getInstanceEndpoint, listInstancesEndpoint } from "./instances";
import { listIntegrationsEndpoint } from "./integrations";

/**
 * Every REST v1 operation served by Next route handlers. The OpenAPI document is built from this
 * list, so an endpoint that is not here is undocumented. (`POST /api/v1/events` is served by the
 * ingest front and documented with it.)
 */
export const REST_ENDPOINTS: readonly AnyEndpoint[] = [
  listCustomersEndpoint,
  upsertCustomerEndpoint,
  getCustomerEndpoint,
  updateCustomerEndpoint,
  deleteCustomerEndpoint,
  listIntegrationsEndpoint,
  listInstancesEndpoint,
  getInstanceEndpoint,
  listExecutionsEndpoint,
  getExecutionEndpoint,
];
