import { acceptInvite } from "../services/auth/accept-invite";
import { getInviteInfo } from "../services/auth/get-invite-info";
import { signUp } from "../services/auth/sign-up";
import { publicProcedure, router } from "../trpc";
import { AcceptInviteInput, InviteInfoInput, SignUpInput } from "./auth.schema";

export const authRouter = router({
  signUp: publicProcedure
    .input(SignUpInput)
    .mutation(async ({ ctx, input }) => {
      await signUp(ctx, input);
      return { ok: true as const }; // the client then signs in through next-auth
    }),
  inviteInfo: publicProcedure.input(InviteInfoInput).query(({ ctx, input }) => getInviteInfo(ctx, input)),
  acceptInvite: publicProcedure.input(AcceptInviteInput).mutation(({ ctx, input }) => acceptInvite(ctx, input)),
});
