import { z } from "zod";
import { ExecutionStatus } from "@/generated/prisma/enums";
import { Id } from "../../routers/common.schema";
import { cancelExecution } from "../../services/executions/cancel-execution";
import { replayExecution } from "../../services/executions/replay-execution";
import { runManually } from "../../services/executions/run-manually";
import { defineEndpoint } from "../handler";

// Run control over REST: start a run by hand, cancel one that has not started, replay one.

const StartedRun = z.object({ executionId: z.string() }).meta({ id: "StartedRun" });

export const runInstanceEndpoint = defineEndpoint({
  method: "POST",
  path: "/api/v1/instances/{id}/runs",
  operationId: "runInstance",
  summary: "Start a run of one of the instance's flows now, with a payload (held while the instance is paused)",
  params: z.object({ id: Id }),
  body: z.object({
    flowKey: z.string().min(1).max(63),
    payload: z.unknown().optional().meta({ description: "JSON handed to the flow as ctx.trigger.payload" }),
  }),
  response: StartedRun,
  status: 202,
  run: async (scope, { params, body }) => {
    const run = await runManually(scope, { instanceId: params.id, flowKey: body.flowKey, payload: body.payload });
    return { executionId: run.executionId };
  },
});

export const cancelExecutionEndpoint = defineEndpoint({
  method: "POST",
  path: "/api/v1/executions/{id}/cancel",
  operationId: "cancelExecution",
  summary: "Cancel a QUEUED or RETRYING run (a RUNNING one is 409 CONFLICT)",
  params: z.object({ id: Id }),
  response: z.object({ id: z.string(), status: z.enum(ExecutionStatus) }),
  run: (scope, { params }) => cancelExecution(scope, params.id),
});

export const replayExecutionEndpoint = defineEndpoint({
  method: "POST",
  path: "/api/v1/executions/{id}/replay",
  operationId: "replayExecution",
  summary: "Replay a finished run as a new run: whole, or from a step (earlier steps' results are reused)",
  params: z.object({ id: Id }),
  body: z.object({ fromStep: z.number().int().min(1).optional().meta({ description: "seq of the first step to run again" }) }).optional(),
  response: z.object({ executionId: z.string(), replayOfId: z.string() }),
  status: 202,
  run: async (scope, { params, body }) => {
    const r = await replayExecution(scope, { id: params.id, ...(body?.fromStep ? { fromStep: body.fromStep } : {}) });
    return { executionId: r.executionId, replayOfId: r.replayOfId };
  },
});
