import { describe, expect, test } from "vitest";
import { REST_ENDPOINTS } from "./endpoints";
import { buildOpenApi } from "./openapi";

describe("OpenAPI document", () => {
  const doc = buildOpenApi(REST_ENDPOINTS, "https://portico.example");

  test("documents every endpoint under its path and method, with a unique operationId", () => {
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, id: (op as { operationId: string }).operationId })),
    );
    expect(ops).toHaveLength(REST_ENDPOINTS.length);
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
});
