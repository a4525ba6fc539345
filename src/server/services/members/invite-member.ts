import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { InviteMemberInput } from "../../routers/members.schema";
import { inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { recordAudit } from "../audit/record-audit";
import { INVITATION_TTL_MS, newInvitationToken } from "./invitation-token";

/**
 * An invitation link for one email and role, valid 7 days. Portico sends no email: the owner
 * passes the link on. Inviting the same email again makes a new link; older ones stay valid
 * until they expire or one of them is used.
 */
export async function inviteMember(scope: OrgScope, input: InviteMemberInput): Promise<{ inviteUrl: string }> {
  const existing = await scope.db.member.findFirst({
    where: { ...inOrg(scope), user: { email: input.email } },
    select: { id: true },
  });
  if (existing) throw new AppError("CONFLICT", `${input.email} is already a member of this organization.`);

  const { token, tokenHash } = newInvitationToken();
  await scope.db.$transaction(async (tx) => {
    const invitation = await tx.invitation.create({
      data: {
        organizationId: scope.organizationId,
        email: input.email,
        role: input.role,
        tokenHash,
        invitedById: scope.actor.type === "user" ? scope.actor.userId : null,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      },
    });
    await recordAudit(
      scope,
      { action: "member.invited", targetType: "invitation", targetId: invitation.id, data: { email: input.email, role: input.role } },
      tx,
    );
  });
  return { inviteUrl: `${env.PUBLIC_URL.replace(/\/$/, "")}/invite/${token}` };
}
