import { AppError } from "@/lib/errors";
import type { UpdateMemberRoleInput } from "../../routers/members.schema";
import { getOwnedMember } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { recordAudit } from "../audit/record-audit";
import { lockOwners } from "./lock-owners";

export async function updateMemberRole(scope: OrgScope, input: UpdateMemberRoleInput) {
  const member = await getOwnedMember(scope, input.memberId);
  if (member.role === input.role) return { id: member.id, role: member.role };
  return scope.db.$transaction(async (tx) => {
    const owners = await lockOwners(tx, scope.organizationId);
    if (input.role !== "OWNER" && owners.length === 1 && owners[0] === member.id) {
      throw new AppError("CONFLICT", "An organization needs at least one owner: make someone else owner first.");
    }
    const updated = await tx.member.update({ where: { id: member.id }, data: { role: input.role } });
    await recordAudit(
      scope,
      { action: "member.roleChanged", targetType: "member", targetId: member.id, data: { from: member.role, to: input.role } },
      tx,
    );
    return { id: updated.id, role: updated.role };
  });
}
