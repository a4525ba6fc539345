import type { AnyEndpoint } from "../handler";
import {
  deleteCustomerEndpoint,
  getCustomerEndpoint,
  listCustomersEndpoint,
  updateCustomerEndpoint,
  upsertCustomerEndpoint,
} from "./customers";
import { configOptionsEndpoint } from "./config-options";
import { getExecutionEndpoint, listExecutionsEndpoint } from "./executions";
import { pauseInstanceEndpoint, resumeInstanceEndpoint, upgradeInstanceEndpoint } from "./instance-actions";
import { getInstanceEndpoint, listInstancesEndpoint } from "./instances";
import { getSigningSecretEndpoint, rotateSigningSecretEndpoint, rotateWebhookUrlEndpoint } from "./instance-webhooks";
import { listVersionsEndpoint, publishVersionEndpoint } from "./integration-versions";
import { listIntegrationsEndpoint } from "./integrations";
import { cancelExecutionEndpoint, replayExecutionEndpoint, runInstanceEndpoint } from "./runs";

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
  listVersionsEndpoint,
  publishVersionEndpoint,
  listInstancesEndpoint,
  getInstanceEndpoint,
  upgradeInstanceEndpoint,
  pauseInstanceEndpoint,
  resumeInstanceEndpoint,
  rotateWebhookUrlEndpoint,
  getSigningSecretEndpoint,
  rotateSigningSecretEndpoint,
  listExecutionsEndpoint,
  getExecutionEndpoint,
  runInstanceEndpoint,
  cancelExecutionEndpoint,
  replayExecutionEndpoint,
  configOptionsEndpoint,
];
