import { listInstances } from "../services/instances/list-instances";
import { orgProcedure, router } from "../trpc";

export const instancesRouter = router({
  list: orgProcedure("SUPPORT").query(({ ctx }) => listInstances(ctx.scope)),
});
