import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { hashPassword, verifyPassword } from "@/lib/passwords";
import type { AcceptInviteInput } from "../../routers/auth.schema";
import { findOpenInvitation } from "./find-open-invitation";

/**
 * Joins the invited email to the organization. A new email gets a user with this password.
 * An existing account keeps its password: it must be given (else anyone holding the link could
 * take the account over), and an SSO-only account (no password) joins without one.
 */
export async function acceptInvite(deps: { db: Db }, input: AcceptInviteInput): Promise<{ email: string }> {
  const { db } = deps;
  const invitation = await findOpenInvitation(db, input.token);
  const existing = await db.user.findUnique({ where: { email: invitation.email } });
  if (existing?.passwordHash && !(await verifyPassword(existing.passwordHash, input.password))) {
    throw new AppError(
      "UNAUTHENTICATED",
      "An account with this email already exists: enter its current password to accept the invitation.",
    );
  }
  const passwordHash = existing ? null : await hashPassword(input.password);

  await db.$transaction(async (tx) => {
    // Marking the invitation first, conditionally, makes a double submit accept it once.
    const claimed = await tx.invitation.updateMany({
      where: { id: invitation.id, acceptedAt: null },
      data: { acceptedAt: new Date() },
    });
    if (claimed.count === 0) throw new AppError("NOT_FOUND", "This invitation was already used.");
    const user =
      existing ??
      (await tx.user.create({ data: { email: invitation.email, name: input.name, passwordHash } }));
    await tx.member.upsert({
      where: { organizationId_userId: { organizationId: invitation.organizationId, userId: user.id } },
      create: { organizationId: invitation.organizationId, userId: user.id, role: invitation.role },
      update: {}, // already a member: keep the role an owner may have set since
    });
    await tx.auditLog.create({
      data: {
        organizationId: invitation.organizationId,
        actorType: "user",
        actorId: user.id,
        action: "member.joined",
        targetType: "invitation",
        targetId: invitation.id,
        data: { email: invitation.email, role: invitation.role },
      },
    });
  });
  return { email: invitation.email };
}
