import { getProducerQueue } from "../producer-redis";
import { deprecateVersion } from "../services/versions/deprecate-version";
import { pauseVersion, resumeVersion } from "../services/versions/kill-switch";
import { continueRollout, rollBackRollout, startRollout } from "../services/versions/rollouts";
import { orgProcedure, router } from "../trpc";
import { DeprecateVersionInput, RolloutIdInput, StartRolloutInput, VersionIdInput } from "./versions.schema";

// Changing what runs is a builder's call; support reads the integration page only.
export const versionsRouter = router({
  deprecate: orgProcedure("BUILDER")
    .input(DeprecateVersionInput)
    .mutation(({ ctx, input }) => deprecateVersion(ctx.scope, input)),
  pause: orgProcedure("BUILDER")
    .input(VersionIdInput)
    .mutation(({ ctx, input }) => pauseVersion(ctx.scope, input)),
  resume: orgProcedure("BUILDER")
    .input(VersionIdInput)
    .mutation(({ ctx, input }) => resumeVersion(ctx.scope, input, { queue: getProducerQueue() })),
  startRollout: orgProcedure("BUILDER")
    .input(StartRolloutInput)
    .mutation(({ ctx, input }) => startRollout(ctx.scope, input)),
  continueRollout: orgProcedure("BUILDER")
    .input(RolloutIdInput)
    .mutation(({ ctx, input }) => continueRollout(ctx.scope, input)),
  rollBackRollout: orgProcedure("BUILDER")
    .input(RolloutIdInput)
    .mutation(({ ctx, input }) => rollBackRollout(ctx.scope, input)),
});
