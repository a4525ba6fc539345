import type { Role } from "@/generated/prisma/client";

export type { Role };

// SUPPORT < BUILDER < OWNER: a procedure names the least role that may call it.
const RANK: Record<Role, number> = { SUPPORT: 0, BUILDER: 1, OWNER: 2 };

export const ROLES = ["OWNER", "BUILDER", "SUPPORT"] as const satisfies readonly Role[];

export function hasRole(role: Role, minRole: Role): boolean {
  return RANK[role] >= RANK[minRole];
}
