import { z } from "zod";
import { ExternalId, UpdateCustomerInput, UpsertCustomerInput } from "../../routers/customers.schema";
import { deleteCustomer } from "../../services/customers/delete-customer";
import { getCustomerByExternalId } from "../../services/customers/get-customer";
import { listCustomers } from "../../services/customers/list-customers";
import { updateCustomer } from "../../services/customers/update-customer";
import { upsertCustomer } from "../../services/customers/upsert-customer";
import { defineEndpoint, Reply } from "../handler";
import { Timestamp } from "../json";

export const Customer = z
  .object({
    id: z.string(),
    externalId: z.string().meta({ description: "your own id for this customer" }),
    name: z.string().nullable(),
    labels: z.array(z.string()),
    instanceCount: z.number().int(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "Customer" });

const ByExternalId = z.object({ externalId: ExternalId });

export const listCustomersEndpoint = defineEndpoint({
  method: "GET",
  path: "/api/v1/customers",
  operationId: "listCustomers",
  summary: "List customers",
  response: z.object({ items: z.array(Customer) }),
  run: async (scope) => ({ items: await listCustomers(scope) }),
});

export const upsertCustomerEndpoint = defineEndpoint({
  method: "POST",
  path: "/api/v1/customers",
  operationId: "upsertCustomer",
  summary: "Create a customer, or update the one with this externalId (201 when created, 200 when updated)",
  body: UpsertCustomerInput,
  response: Customer,
  otherStatuses: [201],
  run: async (scope, { body }) => {
    const { customer, created } = await upsertCustomer(scope, body);
    return new Reply(customer, created ? 201 : 200);
  },
});

export const getCustomerEndpoint = defineEndpoint({
  method: "GET",
  path: "/api/v1/customers/{externalId}",
  operationId: "getCustomer",
  summary: "Get a customer by your externalId",
  params: ByExternalId,
  response: Customer,
  run: (scope, { params }) => getCustomerByExternalId(scope, params.externalId),
});

export const updateCustomerEndpoint = defineEndpoint({
  method: "PATCH",
  path: "/api/v1/customers/{externalId}",
  operationId: "updateCustomer",
  summary: "Change a customer's name or labels",
  params: ByExternalId,
  body: UpdateCustomerInput,
  response: Customer,
  run: (scope, { params, body }) => updateCustomer(scope, params.externalId, body),
});

export const deleteCustomerEndpoint = defineEndpoint({
  method: "DELETE",
  path: "/api/v1/customers/{externalId}",
  operationId: "deleteCustomer",
  summary: "Delete a customer and its instances (run history is kept)",
  params: ByExternalId,
  response: null,
  run: (scope, { params }) => deleteCustomer(scope, params.externalId),
});
