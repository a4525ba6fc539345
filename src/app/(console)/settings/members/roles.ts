import type { Role } from "@/trpc/types";

// DESIGN.md "Who sees what", in one sentence per role.
export const ROLE_HELP: Record<Role, string> = {
  SUPPORT: "Support: sees every run, step, log and HTTP exchange; can retry, replay and pause.",
  BUILDER: "Builder: everything Support can, plus publishing integration versions, connectors and OAuth apps.",
  OWNER: "Owner: everything, plus members, API keys, embed keys and retention.",
};

export const ROLE_LABEL: Record<Role, string> = { SUPPORT: "Support", BUILDER: "Builder", OWNER: "Owner" };
