import { z } from "zod";
import { ERROR_HTTP } from "@/lib/errors";
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
