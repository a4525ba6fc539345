import { getCurrentOrg } from "../services/org/get-current-org";
import { getRetention, updateRetention } from "../services/org/retention";
import { orgProcedure, router } from "../trpc";
import { UpdateRetentionInput } from "./org.schema";

export const orgRouter = router({
  current: orgProcedure("SUPPORT").query(({ ctx }) => getCurrentOrg(ctx.scope)),
  // Every member may see how long runs are kept (support answers "where did that run go?");
  // only owners change it (DESIGN: retention is an owner setting).
  retention: orgProcedure("SUPPORT").query(({ ctx }) => getRetention(ctx.scope)),
  updateRetention: orgProcedure("OWNER")
    .input(UpdateRetentionInput)
    .mutation(({ ctx, input }) => updateRetention(ctx.scope, input)),
});
