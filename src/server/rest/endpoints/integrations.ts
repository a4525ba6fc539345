import { z } from "zod";
import { listIntegrations } from "../../services/integrations/list-integrations";
import { defineEndpoint } from "../handler";
import { Timestamp } from "../json";

export const Integration = z
  .object({
    id: z.string(),
    key: z.string(),
    name: z.string(),
    description: z.string(),
    category: z.string(),
    latestVersion: z.number().int().nullable().meta({ description: "highest published version number" }),
    instanceCount: z.number().int(),
    createdAt: Timestamp,
  })
  .meta({ id: "Integration" });

export const listIntegrationsEndpoint = defineEndpoint({
  method: "GET",
  path: "/api/v1/integrations",
  operationId: "listIntegrations",
  summary: "List integrations (the catalog)",
  response: z.object({ items: z.array(Integration) }),
  run: async (scope) => ({ items: await listIntegrations(scope) }),
});
