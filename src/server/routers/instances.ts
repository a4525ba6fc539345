import { getProducerQueue } from "../producer-redis";
import { listInstances } from "../services/instances/list-instances";
import { pauseInstance } from "../services/instances/pause-instance";
import { resumeInstance } from "../services/instances/resume-instance";
import { upgradeInstance } from "../services/instances/upgrade-instance";
import { orgProcedure, router } from "../trpc";
import { InstanceIdInput, PauseInstanceInput, UpgradeInstanceInput } from "./versions.schema";

export const instancesRouter = router({
  list: orgProcedure("SUPPORT").query(({ ctx }) => listInstances(ctx.scope)),
  // Support may pause a misbehaving instance and resume it (DESIGN: "pause a bad instance").
  pause: orgProcedure("SUPPORT")
    .input(PauseInstanceInput)
    .mutation(({ ctx, input }) => pauseInstance(ctx.scope, input)),
  resume: orgProcedure("SUPPORT")
    .input(InstanceIdInput)
    .mutation(({ ctx, input }) => resumeInstance(ctx.scope, input, { queue: getProducerQueue() })),
  upgrade: orgProcedure("BUILDER")
    .input(UpgradeInstanceInput)
    .mutation(({ ctx, input }) => upgradeInstance(ctx.scope, input)),
});
