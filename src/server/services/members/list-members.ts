import type { Role } from "@/generated/prisma/client";
import { inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";

export type MemberItem = { id: string; userId: string; email: string; name: string | null; role: Role; createdAt: Date };

export async function listMembers(scope: OrgScope): Promise<MemberItem[]> {
  const rows = await scope.db.member.findMany({
    where: inOrg(scope),
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    include: { user: { select: { email: true, name: true } } },
  });
  return rows.map((m) => ({
    id: m.id,
    userId: m.userId,
    email: m.user.email,
    name: m.user.name,
    role: m.role,
    createdAt: m.createdAt,
  }));
}
