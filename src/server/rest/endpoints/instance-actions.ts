import { z } from "zod";
import { getProducerQueue } from "../../producer-redis";
import { Id } from "../../routers/common.schema";
import { pauseInstance } from "../../services/instances/pause-instance";
import { resumeInstance } from "../../services/instances/resume-instance";
import { upgradeInstance } from "../../services/instances/upgrade-instance";
import { defineEndpoint } from "../handler";
import { InstanceDetail } from "./instances";

const ById = z.object({ id: Id });

export const upgradeInstanceEndpoint = defineEndpoint({
  method: "POST",
  path: "/api/v1/instances/{id}/upgrade",
  operationId: "upgradeInstance",
  summary:
    "Move an instance to another version of its integration (an older one rolls back). The config goes through the version's migrate and schema; if they refuse it the answer is 409 with the reason and the instance stays where it was. Webhook URLs do not change.",
  params: ById,
  body: z.object({ version: z.number().int().min(1).meta({ description: "the version number to move to" }) }),
  response: InstanceDetail,
  run: (scope, { params, body }) => upgradeInstance(scope, { instanceId: params.id, version: body.version }),
});

export const pauseInstanceEndpoint = defineEndpoint({
  method: "POST",
  path: "/api/v1/instances/{id}/pause",
  operationId: "pauseInstance",
  summary: "Pause an instance: its runs are held (not lost) until it is resumed. Pausing twice is not an error.",
  params: ById,
  body: z.object({ reason: z.string().trim().max(500).optional() }).optional(),
  response: InstanceDetail,
  run: (scope, { params, body }) => pauseInstance(scope, { instanceId: params.id, ...(body?.reason && { reason: body.reason }) }),
});

export const resumeInstanceEndpoint = defineEndpoint({
  method: "POST",
  path: "/api/v1/instances/{id}/resume",
  operationId: "resumeInstance",
  summary: "Resume a paused instance; the runs it held are queued again.",
  params: ById,
  response: InstanceDetail,
  run: (scope, { params }) => resumeInstance(scope, { instanceId: params.id }, { queue: getProducerQueue() }),
});
