import type { Role } from "@/generated/prisma/client";
import { AppError } from "@/lib/errors";
import type { OrgScope } from "../../tenancy/scope";

export type CurrentOrg = {
  id: string;
  name: string;
  slug: string;
  role: Role;
  memberships: { organizationId: string; name: string; role: Role }[];
};

/** The active organization and, for the org switcher, every organization the user belongs to. */
export async function getCurrentOrg(scope: OrgScope): Promise<CurrentOrg> {
  if (scope.actor.type !== "user") throw new AppError("FORBIDDEN", "Only console members have a current organization.");
  const { userId, role } = scope.actor;
  const [org, memberships] = await Promise.all([
    scope.db.organization.findUniqueOrThrow({
      where: { id: scope.organizationId },
      select: { id: true, name: true, slug: true },
    }),
    // The user's own memberships (across orgs) are theirs to see: the filter is the user, not the org.
    scope.db.member.findMany({
      where: { userId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { organizationId: true, role: true, organization: { select: { name: true } } },
    }),
  ]);
  return {
    ...org,
    role,
    memberships: memberships.map((m) => ({ organizationId: m.organizationId, name: m.organization.name, role: m.role })),
  };
}
