import { getExecution } from "../services/executions/get-execution";
import { listExecutions } from "../services/executions/list-executions";
import { orgProcedure, router } from "../trpc";
import { GetExecutionInput, ListExecutionsInput } from "./executions.schema";

export const executionsRouter = router({
  list: orgProcedure("SUPPORT")
    .input(ListExecutionsInput)
    .query(({ ctx, input }) => listExecutions(ctx.scope, input)),
  get: orgProcedure("SUPPORT")
    .input(GetExecutionInput)
    .query(({ ctx, input }) => getExecution(ctx.scope, input.id)),
});
