// The Portico SDK: what integration code imports as "portico/sdk". It imports nothing of
// Portico's own; the host provides this module and zod to bundles, so there is one instance.
export { z } from "zod";
export { defineIntegration, isIntegration } from "./define-integration";
export { configField, configFieldOptions, CONFIG_FIELD_META } from "./config-field";
export {
  PorticoError,
  AuthError,
  RateLimitedError,
  RemoteUnavailableError,
  InvalidDataError,
  ConfigError,
  type ErrorClass,
  type PorticoErrorOptions,
} from "./errors";
export {
  INTEGRATION_BRAND,
  type AnyFlow,
  type AnyIntegration,
  type AuthKind,
  type BreakerPolicy,
  type WebhookSignature,
  type ConfigFieldOptions,
  type ConfigOption,
  type ConfigOptionsContext,
  type ConfigOptionsLoader,
  type ConfigOptionsLoaders,
  type ConfigPage,
  type ConfigSchema,
  type ConnectionDeclaration,
  type ConnectionDeclarations,
  type ConnectionHandle,
  type CustomerInfo,
  type FlowContext,
  type FlowDefinition,
  type FlowLogger,
  type HttpClient,
  type HttpRequestOptions,
  type HttpResponse,
  type InstanceStateStore,
  type Integration,
  type IntegrationDefinition,
  type MigrateConfig,
  type RetryPolicy,
  type Trigger,
  type TriggerInfo,
  type TriggerType,
} from "./types";
