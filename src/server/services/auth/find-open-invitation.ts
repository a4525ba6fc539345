import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { hashInvitationToken } from "../members/invitation-token";

/** An invitation that can still be accepted; unknown, used and expired tokens all read the same. */
export async function findOpenInvitation(db: Db, token: string) {
  const invitation = await db.invitation.findUnique({
    where: { tokenHash: hashInvitationToken(token) },
    include: { organization: { select: { id: true, name: true } } },
  });
  if (!invitation || invitation.acceptedAt || invitation.expiresAt.getTime() <= Date.now()) {
    throw new AppError("NOT_FOUND", "This invitation is invalid or has expired: ask for a new one.");
  }
  return invitation;
}
