import { inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";

export interface InvitationItem {
  id: string;
  email: string;
  role: "OWNER" | "BUILDER" | "SUPPORT";
  createdAt: Date;
  expiresAt: Date;
  expired: boolean;
  invitedBy: string | null;
}

/** Invitations nobody has accepted yet, newest first; expired ones stay listed until revoked so an owner sees why someone could not join. */
export async function listInvitations(scope: OrgScope): Promise<InvitationItem[]> {
  const rows = await scope.db.invitation.findMany({
    where: { ...inOrg(scope), acceptedAt: null },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  const inviterIds = [...new Set(rows.map((r) => r.invitedById).filter((id): id is string => id !== null))];
  const inviters = inviterIds.length
    ? await scope.db.user.findMany({ where: { id: { in: inviterIds } }, select: { id: true, name: true, email: true } })
    : [];
  const nameOf = new Map(inviters.map((u) => [u.id, u.name ?? u.email]));
  const now = Date.now();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    role: r.role,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    expired: r.expiresAt.getTime() <= now,
    invitedBy: r.invitedById ? (nameOf.get(r.invitedById) ?? null) : null,
  }));
}
