import { listIntegrations } from "../services/integrations/list-integrations";
import { orgProcedure, router } from "../trpc";

export const integrationsRouter = router({
  list: orgProcedure("SUPPORT").query(({ ctx }) => listIntegrations(ctx.scope)),
});
