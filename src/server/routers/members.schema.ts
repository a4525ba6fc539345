import { z } from "zod";
import { Role } from "@/generated/prisma/enums";
import { Email } from "./auth.schema";
import { Id } from "./common.schema";

export const RoleSchema = z.enum(Role);

export const InviteMemberInput = z.object({ email: Email, role: RoleSchema });
export type InviteMemberInput = z.infer<typeof InviteMemberInput>;

export const UpdateMemberRoleInput = z.object({ memberId: Id, role: RoleSchema });
export type UpdateMemberRoleInput = z.infer<typeof UpdateMemberRoleInput>;

export const RemoveMemberInput = z.object({ memberId: Id });
export type RemoveMemberInput = z.infer<typeof RemoveMemberInput>;

export const RevokeInvitationInput = z.object({ invitationId: Id });
export type RevokeInvitationInput = z.infer<typeof RevokeInvitationInput>;
