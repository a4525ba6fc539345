import { AppError } from "@/lib/errors";
import type { RemoveMemberInput } from "../../routers/members.schema";
import { getOwnedMember } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { recordAudit } from "../audit/record-audit";
import { lockOwners } from "./lock-owners";

export async function removeMember(scope: OrgScope, input: RemoveMemberInput): Promise<{ id: string }> {
  const member = await getOwnedMember(scope, input.memberId);
  return scope.db.$transaction(async (tx) => {
    const owners = await lockOwners(tx, scope.organizationId);
    if (owners.length === 1 && owners[0] === member.id) {
      throw new AppError("CONFLICT", "An organization needs at least one owner: make someone else owner first.");
    }
    await tx.member.delete({ where: { id: member.id } });
    await recordAudit(
      scope,
      { action: "member.removed", targetType: "member", targetId: member.id, data: { userId: member.userId, role: member.role } },
      tx,
    );
    return { id: member.id };
  });
}
