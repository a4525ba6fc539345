import { getCurrentOrg } from "../services/org/get-current-org";
import { orgProcedure, router } from "../trpc";

export const orgRouter = router({
  current: orgProcedure("SUPPORT").query(({ ctx }) => getCurrentOrg(ctx.scope)),
});
