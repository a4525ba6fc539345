import { describe, expect, test } from "vitest";
import { z } from "zod";
import { EventBody } from "@/engine/events/publish-event";
import { REST_ENDPOINTS } from "./endpoints";
import { buildOpenApi } from "./openapi";

// Served by the ingest front, documented beside the Next endpoints.
const FRONT_OPERATIONS = [
  { path: "/api/v1/events", method: "post" },
  { path: "/api/hooks/{token}", method: "post" },
];

describe("OpenAPI document", () => {
  const doc = buildOpenApi(REST_ENDPOINTS, "https://portico.example");

  test("documents every endpoint under its path and method, with a unique operationId", () => {
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, id: (op as { operationId: string }).operationId })),
    );
    expect(ops).toHaveLength(REST_ENDPOINTS.length + FRONT_OPERATIONS.length);
    expect(new Set(ops.map((o) => o.id)).size).toBe(ops.length);
    for (const e of REST_ENDPOINTS) expect(doc.paths[e.path]?.[e.method.toLowerCase()]).toBeDefined();
  });

  test("every $ref points at a schema in components", () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.split("/").pop()!]).toBeDefined();
    }
  });

  test("describes the wire form: timestamps are date-time strings, path ids are required parameters", () => {
    const customer = doc.components.schemas.Customer as { properties: Record<string, { type: string; format?: string }> };
    expect(customer.properties.createdAt).toEqual({ type: "string", format: "date-time" });
    const getCustomer = doc.paths["/api/v1/customers/{externalId}"]!.get as { parameters: { name: string; in: string; required: boolean }[] };
    expect(getCustomer.parameters).toEqual([expect.objectContaining({ name: "externalId", in: "path", required: true })]);
    const list = doc.paths["/api/v1/executions"]!.get as { parameters: { name: string; required: boolean }[] };
    expect(list.parameters.map((p) => p.name)).toEqual(["customer", "instance", "status", "reference", "since", "cursor", "limit"]);
    expect(list.parameters.every((p) => !p.required)).toBe(true);
  });

  test("documents POST /api/v1/events from the zod schema the ingest front validates with", () => {
    type Op = { requestBody: { content: Record<string, { schema: unknown }> }; responses: Record<string, unknown>; security?: unknown[] };
    const events = doc.paths["/api/v1/events"]!.post as Op;
    const expected = z.toJSONSchema(EventBody, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    const { $schema: _dialect, ...bodySchema } = expected;
    expect(events.requestBody.content["application/json"]!.schema).toEqual(bodySchema);
    expect(bodySchema).toMatchObject({ required: ["customer", "type"] });
    expect(Object.keys(events.responses).sort()).toEqual(["202", "400", "401", "404", "413", "503"]);
    expect(doc.components.schemas.EventAccepted).toBeDefined();
  });

  test("documents the webhook URL: any body, no API key, 202 with the run id", () => {
    type Op = { parameters: { name: string; in: string }[]; requestBody: { content: Record<string, unknown> }; responses: Record<string, unknown>; security: unknown[] };
    const hook = doc.paths["/api/hooks/{token}"]!.post as Op;
    expect(hook.security).toEqual([]);
    expect(hook.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(["path:token", "header:Idempotency-Key"]);
    expect(Object.keys(hook.requestBody.content)).toEqual(["*/*"]);
    expect(Object.keys(hook.responses).sort()).toEqual(["202", "400", "401", "404", "409", "413", "503"]);
    expect(doc.components.schemas.WebhookAccepted).toMatchObject({ required: ["executionId"] });
  });
});
