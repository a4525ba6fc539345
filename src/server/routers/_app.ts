import { router } from "../trpc";
import { apiKeysRouter } from "./api-keys";
import { authRouter } from "./auth";
import { configFormsRouter } from "./config-forms";
import { connectionsRouter } from "./connections";
import { customersRouter } from "./customers";
import { executionsRouter } from "./executions";
import { instancesRouter } from "./instances";
import { integrationsRouter } from "./integrations";
import { membersRouter } from "./members";
import { orgRouter } from "./org";
import { versionsRouter } from "./versions";

export const appRouter = router({
  auth: authRouter,
  org: orgRouter,
  executions: executionsRouter,
  instances: instancesRouter,
  integrations: integrationsRouter,
  versions: versionsRouter,
  customers: customersRouter,
  connections: connectionsRouter,
  members: membersRouter,
  apiKeys: apiKeysRouter,
  configForms: configFormsRouter,
});

export type AppRouter = typeof appRouter;
