import { listCustomers } from "../services/customers/list-customers";
import { orgProcedure, router } from "../trpc";

export const customersRouter = router({
  list: orgProcedure("SUPPORT").query(({ ctx }) => listCustomers(ctx.scope)),
});
