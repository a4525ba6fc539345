import { listIntegrations } from "../services/integrations/list-integrations";
import { getIntegrationDetail } from "../services/versions/get-integration-detail";
import { setMarketplaceVisibility } from "../services/versions/set-marketplace-visibility";
import { orgProcedure, router } from "../trpc";
import { IntegrationKeyInput, SetVisibilityInput } from "./versions.schema";

export const integrationsRouter = router({
  list: orgProcedure("SUPPORT").query(({ ctx }) => listIntegrations(ctx.scope)),
  detail: orgProcedure("SUPPORT")
    .input(IntegrationKeyInput)
    .query(({ ctx, input }) => getIntegrationDetail(ctx.scope, input.key)),
  setVisibility: orgProcedure("BUILDER")
    .input(SetVisibilityInput)
    .mutation(({ ctx, input }) => setMarketplaceVisibility(ctx.scope, input)),
});
