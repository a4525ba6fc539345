import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/routers/_app";

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export type ExecutionListItem = RouterOutputs["executions"]["list"]["items"][number];
export type ExecutionDetail = RouterOutputs["executions"]["get"];
export type Role = RouterOutputs["org"]["current"]["role"];
