import { createApiKey } from "../services/api-keys/create-api-key";
import { listApiKeys } from "../services/api-keys/list-api-keys";
import { revokeApiKey } from "../services/api-keys/revoke-api-key";
import { orgProcedure, router } from "../trpc";
import { CreateApiKeyInput, RevokeApiKeyInput } from "./api-keys.schema";

export const apiKeysRouter = router({
  list: orgProcedure("OWNER").query(({ ctx }) => listApiKeys(ctx.scope)),
  create: orgProcedure("OWNER")
    .input(CreateApiKeyInput)
    .mutation(({ ctx, input }) => createApiKey(ctx.scope, input)),
  revoke: orgProcedure("OWNER")
    .input(RevokeApiKeyInput)
    .mutation(({ ctx, input }) => revokeApiKey(ctx.scope, input)),
});
