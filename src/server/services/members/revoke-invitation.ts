import { getOwnedInvitation } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { recordAudit } from "../audit/record-audit";

/** Deletes an open invitation: its link answers "not found" from now on, like an unknown one. */
export async function revokeInvitation(scope: OrgScope, input: { invitationId: string }): Promise<{ id: string }> {
  const invitation = await getOwnedInvitation(scope, input.invitationId);
  await scope.db.$transaction(async (tx) => {
    await tx.invitation.delete({ where: { id: invitation.id } });
    await recordAudit(
      scope,
      { action: "member.invitation_revoked", targetType: "invitation", targetId: invitation.id, data: { email: invitation.email, role: invitation.role } },
      tx,
    );
  });
  return { id: invitation.id };
}
