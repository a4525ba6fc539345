import { cancelExecution } from "../services/executions/cancel-execution";
import { getExecution } from "../services/executions/get-execution";
import { listExecutions } from "../services/executions/list-executions";
import { replayExecution, replayFailed, replayMany } from "../services/executions/replay-execution";
import { runManually } from "../services/executions/run-manually";
import { orgProcedure, router } from "../trpc";
import {
  CancelExecutionInput,
  GetExecutionInput,
  ListExecutionsInput,
  ReplayExecutionInput,
  ReplayFailedInput,
  ReplayManyInput,
  RunManuallyInput,
} from "./executions.schema";

export const executionsRouter = router({
  list: orgProcedure("SUPPORT")
    .input(ListExecutionsInput)
    .query(({ ctx, input }) => listExecutions(ctx.scope, input)),
  get: orgProcedure("SUPPORT")
    .input(GetExecutionInput)
    .query(({ ctx, input }) => getExecution(ctx.scope, input.id)),
  runManually: orgProcedure("SUPPORT")
    .input(RunManuallyInput)
    .mutation(({ ctx, input }) => runManually(ctx.scope, input)),
  cancel: orgProcedure("SUPPORT")
    .input(CancelExecutionInput)
    .mutation(({ ctx, input }) => cancelExecution(ctx.scope, input.id)),
  replay: orgProcedure("SUPPORT")
    .input(ReplayExecutionInput)
    .mutation(({ ctx, input }) => replayExecution(ctx.scope, input)),
  replayMany: orgProcedure("SUPPORT")
    .input(ReplayManyInput)
    .mutation(({ ctx, input }) => replayMany(ctx.scope, input.ids)),
  /** Replays the dead-letter list: FAILED runs matching the filter, not replayed before. */
  replayFailed: orgProcedure("SUPPORT")
    .input(ReplayFailedInput)
    .mutation(({ ctx, input }) => replayFailed(ctx.scope, input)),
});
