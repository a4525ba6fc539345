import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Role } from "./roles";

export type Membership = { memberId: string; organizationId: string; role: Role };

/**
 * The membership a console request acts through: the organization named by the active-org
 * cookie if the user belongs to it, else the user's oldest membership. A cookie naming an
 * organization the user is not in is ignored rather than refused, so a stale cookie (after
 * being removed from an org) never locks anyone out.
 */
export async function resolveMembership(db: Db, userId: string, activeOrgId: string | null): Promise<Membership> {
  const members = await db.member.findMany({
    where: { userId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, organizationId: true, role: true },
  });
  const chosen = members.find((m) => m.organizationId === activeOrgId) ?? members[0];
  if (!chosen) {
    throw new AppError("FORBIDDEN", "You are not a member of any organization yet: ask an owner for an invitation.");
  }
  return { memberId: chosen.id, organizationId: chosen.organizationId, role: chosen.role };
}
