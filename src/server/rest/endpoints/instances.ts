import { z } from "zod";
import { InstanceStatus } from "@/generated/prisma/enums";
import { Id } from "../../routers/common.schema";
import { ExternalId } from "../../routers/customers.schema";
import { getInstance } from "../../services/instances/get-instance";
import { listInstances } from "../../services/instances/list-instances";
import { getOwnedCustomerByExternalId } from "../../tenancy/owned";
import { defineEndpoint } from "../handler";
import { Timestamp } from "../json";

export const Instance = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(InstanceStatus),
    statusReason: z.string().nullable(),
    createdAt: Timestamp,
    customer: z.object({ id: z.string(), externalId: z.string(), name: z.string().nullable() }),
    integration: z.object({ key: z.string(), name: z.string() }),
    version: z.object({ number: z.number().int() }),
    webhooks: z.array(z.object({ flowKey: z.string(), url: z.string() })),
  })
  .meta({ id: "Instance" });

export const InstanceDetail = Instance.extend({
  config: z.unknown().meta({ description: "the instance's (non-secret) configuration" }),
  updatedAt: Timestamp,
}).meta({ id: "InstanceDetail" });

export const listInstancesEndpoint = defineEndpoint({
  method: "GET",
  path: "/api/v1/instances",
  operationId: "listInstances",
  summary: "List instances, optionally of one customer",
  query: z.object({ customer: ExternalId.optional().meta({ description: "a customer's externalId" }) }),
  response: z.object({ items: z.array(Instance) }),
  run: async (scope, { query }) => {
    const customer = query.customer ? await getOwnedCustomerByExternalId(scope, query.customer) : undefined;
    return { items: await listInstances(scope, { customerId: customer?.id }) };
  },
});

export const getInstanceEndpoint = defineEndpoint({
  method: "GET",
  path: "/api/v1/instances/{id}",
  operationId: "getInstance",
  summary: "Get an instance",
  params: z.object({ id: Id }),
  response: InstanceDetail,
  run: (scope, { params }) => getInstance(scope, params.id),
});
