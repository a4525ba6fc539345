import { z } from "zod";
import { getConfigForm } from "../services/config-forms/get-config-form";
import { loadConfigOptions } from "../services/config-forms/load-config-options";
import { orgProcedure, router } from "../trpc";
import { Id } from "./common.schema";

export const ConfigFormInput = z.object({ versionId: Id });

export const ConfigOptionsInput = z.object({
  versionId: Id,
  customerId: Id,
  /** Connection key → id of that customer's Connection (those bound so far). */
  connections: z.record(z.string().min(1).max(100), Id),
  field: z.string().min(1).max(200),
  /** The values entered so far. */
  config: z.record(z.string(), z.unknown()),
});

// The config wizard: what to render for a version, and the choices of fields that come from the
// customer's connected account. Reads only; whoever may set up an instance may use them.
export const configFormsRouter = router({
  get: orgProcedure("SUPPORT")
    .input(ConfigFormInput)
    .query(({ ctx, input }) => getConfigForm(ctx.scope, input)),
  options: orgProcedure("SUPPORT")
    .input(ConfigOptionsInput)
    .query(({ ctx, input }) => loadConfigOptions(ctx.scope, input)),
});
