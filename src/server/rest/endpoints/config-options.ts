import { z } from "zod";
import { AppError } from "@/lib/errors";
import { Id } from "../../routers/common.schema";
import { loadConfigOptions } from "../../services/config-forms/load-config-options";
import { getOwnedCustomerByExternalId, getOwnedIntegrationByKey } from "../../tenancy/owned";
import { defineEndpoint } from "../handler";

export const configOptionsEndpoint = defineEndpoint({
  method: "POST",
  path: "/api/v1/config-options",
  operationId: "loadConfigOptions",
  summary:
    "The choices of a config field whose options come from the customer's connected account (the integration's options loader, run against that account). A failing loader answers 502 REMOTE_ERROR with a message to show and details.errorClass.",
  body: z.object({
    integration: z.string().min(1).max(100).meta({ description: "integration key" }),
    version: z.number().int().min(1).meta({ description: "version number" }),
    customer: z.string().min(1).max(200).meta({ description: "the customer's externalId" }),
    connections: z.record(z.string().min(1).max(100), Id).default({}).meta({ description: "connection key → Connection id of that customer" }),
    field: z.string().min(1).max(200),
    config: z.record(z.string(), z.unknown()).default({}).meta({ description: "the values entered so far" }),
  }),
  response: z.object({ options: z.array(z.object({ value: z.union([z.string(), z.number()]), label: z.string() })) }),
  run: async (scope, { body }) => {
    const integration = await getOwnedIntegrationByKey(scope, body.integration);
    const version = await scope.db.integrationVersion.findFirst({
      where: { organizationId: scope.organizationId, integrationId: integration.id, number: body.version },
      select: { id: true },
    });
    if (!version) throw new AppError("NOT_FOUND", `version ${body.version} not found`);
    const customer = await getOwnedCustomerByExternalId(scope, body.customer);
    return loadConfigOptions(scope, { versionId: version.id, customerId: customer.id, connections: body.connections, field: body.field, config: body.config });
  },
});
