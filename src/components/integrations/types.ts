import type { RouterOutputs } from "@/trpc/types";

export type IntegrationDetail = RouterOutputs["integrations"]["detail"];
export type VersionItem = IntegrationDetail["versions"][number];
export type InstanceItem = IntegrationDetail["instances"][number];
export type RolloutItem = IntegrationDetail["rollouts"][number];
