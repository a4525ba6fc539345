import { z } from "zod";
import { EventBody } from "@/engine/events/publish-event";
import { ERROR_HTTP, type ErrorCode } from "@/lib/errors";
import type { AnyEndpoint } from "./handler";
import { ErrorBody } from "./json";

type JsonSchema = Record<string, unknown>;

// Schemas that carry `.meta({ id })` (Customer, Execution…) come out of zod as $defs; they are
// moved to components.schemas, once, and referenced from there.
function toSchema(schema: z.ZodType, registry: Record<string, JsonSchema>): JsonSchema {
  const generated = z.toJSONSchema(schema, {
    io: "input", // the wire form: timestamps are strings, query numbers before coercion
    unrepresentable: "any",
    override: ({ jsonSchema }) => {
      // zod's ISO regex repeats what format: date-time already says, at length.
      if (jsonSchema.format === "date-time") delete jsonSchema.pattern;
    },
  });
  const relinked = JSON.parse(JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  const { $schema: _dialect, $defs, ...rest } = relinked as JsonSchema & { $defs?: Record<string, JsonSchema> };
  Object.assign(registry, $defs ?? {});
  return rest;
}

function parameters(shape: z.ZodRawShape, where: "path" | "query", registry: Record<string, JsonSchema>) {
  return Object.entries(shape).map(([name, field]) => {
    const schema = field as z.ZodType;
    const { description, ...rest } = toSchema(schema, registry);
    return {
      name,
      in: where,
      required: where === "path" || !schema.safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const ERROR_STATUSES = (endpoint: AnyEndpoint): number[] => {
  const statuses = [ERROR_HTTP.UNAUTHENTICATED.status, ERROR_HTTP.INTERNAL.status];
  if (endpoint.params || endpoint.query || endpoint.body) statuses.push(ERROR_HTTP.BAD_INPUT.status);
  if (endpoint.params) statuses.push(ERROR_HTTP.NOT_FOUND.status);
  return statuses.sort();
};

// Served by the ingest front (node:http, src/engine/ingest/http-front.ts), not by Next route
// handlers, so not in REST_ENDPOINTS; documented here from the schemas the front validates with.
export const WebhookAccepted = z
  .object({ executionId: z.string().meta({ description: "the run recorded for this delivery (the first run's id on a repeated Idempotency-Key)" }) })
  .meta({ id: "WebhookAccepted" });
export const EventAccepted = z
  .object({
    executions: z
      .array(z.object({ instanceId: z.string(), executionId: z.string() }))
      .meta({ description: "one run per subscribed flow of each of the customer's instances (none when nothing subscribes)" }),
  })
  .meta({ id: "EventAccepted" });

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});
const status = (code: ErrorCode) => ERROR_HTTP[code].status;

function frontOperations(registry: Record<string, JsonSchema>): Record<string, Record<string, unknown>> {
  return {
    "/api/v1/events": {
      post: {
        operationId: "publishEvent",
        summary:
          "Publish an app event for one customer: every active, paused or stopped instance of that customer whose flow subscribes to the type gets one run (paused ones hold it until resumed). The answer comes after the runs are recorded. A repeat with the same idempotencyKey starts nothing new and returns the first runs.",
        parameters: [],
        requestBody: { required: true, content: { "application/json": { schema: toSchema(EventBody, registry) } } },
        responses: {
          202: { description: "Accepted: the runs are recorded", content: { "application/json": { schema: toSchema(EventAccepted, registry) } } },
          [status("BAD_INPUT")]: errorResponse("The body is not valid JSON or does not match the schema (details.issues)"),
          [status("UNAUTHENTICATED")]: errorResponse("Missing or revoked API key"),
          [status("NOT_FOUND")]: errorResponse("No customer with that externalId"),
          [status("PAYLOAD_TOO_LARGE")]: errorResponse("The body is larger than the server's limit (WEBHOOK_MAX_BYTES)"),
          [status("UNAVAILABLE")]: errorResponse("The database could not record the event: retry (same idempotencyKey), see Retry-After"),
        },
      },
    },
    "/api/hooks/{token}": {
      post: {
        operationId: "receiveWebhook",
        summary:
          "A flow's webhook URL (one per instance × flow, shown in the console and in the instance's `webhooks`). Any body (JSON, form, XML, raw) is kept as received. No API key: the unguessable token is the credential, and a flow may also require an HMAC signature header. The answer comes after the run is recorded.",
        security: [],
        parameters: [
          { name: "token", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9_-]{20,100}$" } },
          {
            name: "Idempotency-Key",
            in: "header",
            required: false,
            description: "a repeat with the same key and the same body returns the first run's id and queues nothing; the same key with a different body is 409",
            schema: { type: "string", maxLength: 255 },
          },
        ],
        requestBody: { required: false, content: { "*/*": { schema: {} } } },
        responses: {
          202: { description: "Accepted: the run is recorded", content: { "application/json": { schema: toSchema(WebhookAccepted, registry) } } },
          [status("BAD_INPUT")]: errorResponse("Idempotency-Key too long"),
          [status("UNAUTHENTICATED")]: errorResponse("The flow checks signatures and this one is missing, wrong or outside the timestamp tolerance"),
          [status("NOT_FOUND")]: errorResponse("Unknown, rotated or deleted token (no hint of which)"),
          [status("CONFLICT")]: errorResponse("The Idempotency-Key was already used with a different body (details.executionId: the first run)"),
          [status("PAYLOAD_TOO_LARGE")]: errorResponse("The body is larger than the flow's or the server's limit"),
          [status("UNAVAILABLE")]: errorResponse("The database could not record the delivery: retry, see Retry-After"),
        },
      },
    },
  };
}

/** The OpenAPI 3.1 document of the REST API, built from the endpoints' own zod schemas. */
export function buildOpenApi(endpoints: readonly AnyEndpoint[], serverUrl: string) {
  const registry: Record<string, JsonSchema> = {};
  registry.Error = toSchema(ErrorBody, registry);
  const paths: Record<string, Record<string, unknown>> = {};

  for (const e of endpoints) {
    const okStatus = e.response ? (e.status ?? 200) : (e.status ?? 204);
    const responses: Record<string, unknown> = {};
    const success = e.response
      ? { description: "OK", content: { "application/json": { schema: toSchema(e.response, registry) } } }
      : { description: "No Content" };
    for (const status of [okStatus, ...(e.otherStatuses ?? [])]) responses[status] = success;
    for (const status of ERROR_STATUSES(e)) {
      responses[status] = {
        description: "Error",
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      };
    }
    (paths[e.path] ??= {})[e.method.toLowerCase()] = {
      operationId: e.operationId,
      summary: e.summary,
      parameters: [
        ...(e.params ? parameters(e.params.shape, "path", registry) : []),
        ...(e.query ? parameters(e.query.shape, "query", registry) : []),
      ],
      ...(e.body && {
        requestBody: { required: true, content: { "application/json": { schema: toSchema(e.body, registry) } } },
      }),
      responses,
    };
  }

  Object.assign(paths, frontOperations(registry));

  return {
    openapi: "3.1.0",
    info: {
      title: "Portico API",
      version: "1",
      description: "Errors are `{ error: { code, message, details } }`; authenticate with `Authorization: Bearer <API key>`.",
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An API key (pk_…) from Settings → API keys" } },
      schemas: registry,
    },
    paths,
  };
}
