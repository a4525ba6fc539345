import type { Db } from "@/lib/db";
import type { Role } from "@/generated/prisma/client";
import type { InviteInfoInput } from "../../routers/auth.schema";
import { findOpenInvitation } from "./find-open-invitation";

export async function getInviteInfo(
  deps: { db: Db },
  input: InviteInfoInput,
): Promise<{ organizationName: string; email: string; role: Role }> {
  const invitation = await findOpenInvitation(deps.db, input.token);
  return { organizationName: invitation.organization.name, email: invitation.email, role: invitation.role };
}
