import { z } from "zod";
import { ErrorClass, ExecutionStatus, StepStatus, TriggerType } from "@/generated/prisma/enums";
import { Id } from "../../routers/common.schema";
import { ExternalId } from "../../routers/customers.schema";
import { getExecution } from "../../services/executions/get-execution";
import { listExecutions } from "../../services/executions/list-executions";
import { getOwnedCustomerByExternalId } from "../../tenancy/owned";
import { defineEndpoint } from "../handler";
import { QueryTimestamp, Timestamp } from "../json";

export const Execution = z
  .object({
    id: z.string(),
    status: z.enum(ExecutionStatus),
    flowKey: z.string(),
    triggerType: z.enum(TriggerType),
    reference: z.string().nullable().meta({ description: "the business reference the flow recorded, e.g. an order number" }),
    attempt: z.number().int(),
    errorClass: z.enum(ErrorClass).nullable(),
    errorMessage: z.string().nullable(),
    customerMessage: z.string().nullable(),
    queuedAt: Timestamp,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    durationMs: z.number().int().nullable(),
    instance: z.object({ id: z.string(), name: z.string() }),
    customer: z.object({ id: z.string(), externalId: z.string(), name: z.string().nullable() }),
    integration: z.object({ key: z.string(), name: z.string() }),
    version: z.object({ number: z.number().int() }),
  })
  .meta({ id: "Execution" });

export const ExecutionDetail = Execution.extend({
  triggerSource: z.string().nullable(),
  contentType: z.string().nullable(),
  replayOfId: z.string().nullable(),
  traceId: z.string().nullable(),
  steps: z.array(
    z.object({
      seq: z.number().int(),
      name: z.string(),
      status: z.enum(StepStatus),
      attempt: z.number().int(),
      startedAt: Timestamp,
      finishedAt: Timestamp.nullable(),
      durationMs: z.number().int().nullable(),
      errorClass: z.enum(ErrorClass).nullable(),
      errorMessage: z.string().nullable(),
    }),
  ),
}).meta({ id: "ExecutionDetail" });

export const listExecutionsEndpoint = defineEndpoint({
  method: "GET",
  path: "/api/v1/executions",
  operationId: "listExecutions",
  summary: "List runs, newest first; page with `cursor` = the previous page's nextCursor",
  query: z.object({
    customer: ExternalId.optional().meta({ description: "a customer's externalId" }),
    instance: Id.optional().meta({ description: "an instance id" }),
    status: z.enum(ExecutionStatus).optional(),
    reference: z.string().min(1).max(200).optional(),
    since: QueryTimestamp.optional().meta({ description: "runs queued at or after this time" }),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  }),
  response: z.object({ items: z.array(Execution), nextCursor: z.string().nullable() }),
  run: async (scope, { query }) => {
    const customer = query.customer ? await getOwnedCustomerByExternalId(scope, query.customer) : undefined;
    return listExecutions(scope, {
      customerId: customer?.id,
      instanceId: query.instance,
      status: query.status,
      reference: query.reference,
      since: query.since,
      cursor: query.cursor,
      limit: query.limit,
    });
  },
});

export const getExecutionEndpoint = defineEndpoint({
  method: "GET",
  path: "/api/v1/executions/{id}",
  operationId: "getExecution",
  summary: "Get a run with its steps",
  params: z.object({ id: Id }),
  response: ExecutionDetail,
  run: (scope, { params }) => getExecution(scope, params.id),
});
