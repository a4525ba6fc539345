import { inviteMember } from "../services/members/invite-member";
import { listInvitations } from "../services/members/list-invitations";
import { revokeInvitation } from "../services/members/revoke-invitation";
import { listMembers } from "../services/members/list-members";
import { removeMember } from "../services/members/remove-member";
import { updateMemberRole } from "../services/members/update-member-role";
import { orgProcedure, router } from "../trpc";
import { InviteMemberInput, RemoveMemberInput, RevokeInvitationInput, UpdateMemberRoleInput } from "./members.schema";

export const membersRouter = router({
  list: orgProcedure("SUPPORT").query(({ ctx }) => listMembers(ctx.scope)),
  invite: orgProcedure("OWNER")
    .input(InviteMemberInput)
    .mutation(({ ctx, input }) => inviteMember(ctx.scope, input)),
  invitations: orgProcedure("OWNER").query(({ ctx }) => listInvitations(ctx.scope)),
  revokeInvitation: orgProcedure("OWNER")
    .input(RevokeInvitationInput)
    .mutation(({ ctx, input }) => revokeInvitation(ctx.scope, input)),
  updateRole: orgProcedure("OWNER")
    .input(UpdateMemberRoleInput)
    .mutation(({ ctx, input }) => updateMemberRole(ctx.scope, input)),
  remove: orgProcedure("OWNER")
    .input(RemoveMemberInput)
    .mutation(({ ctx, input }) => removeMember(ctx.scope, input)),
});
