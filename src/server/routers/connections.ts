import { createConnection } from "../services/connections/create-connection";
import { listConnections } from "../services/connections/list-connections";
import { orgProcedure, router } from "../trpc";
import { CreateApiKeyConnectionInput, ListConnectionsInput } from "./connections.schema";

export const connectionsRouter = router({
  list: orgProcedure("SUPPORT")
    .input(ListConnectionsInput)
    .query(({ ctx, input }) => listConnections(ctx.scope, input)),
  // Builders set up instances on a customer's behalf, which may need the customer's ERP key.
  createApiKey: orgProcedure("BUILDER")
    .input(CreateApiKeyConnectionInput)
    .mutation(({ ctx, input }) =>
      createConnection(ctx.scope, {
        customerId: input.customerId,
        appKey: input.appKey,
        authType: "API_KEY",
        credentials: { apiKey: input.apiKey },
        ...(input.label ? { label: input.label } : {}),
      }),
    ),
});
