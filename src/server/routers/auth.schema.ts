import { z } from "zod";

export const Email = z.string().trim().toLowerCase().pipe(z.email().max(254));
// 10 characters minimum (NIST SP 800-63B allows 8; we ask a little more); the upper bound stops
// megabyte "passwords" from tying up Argon2.
export const Password = z.string().min(10, "at least 10 characters").max(256);

export const SignUpInput = z.object({
  name: z.string().trim().min(1).max(100),
  email: Email,
  password: Password,
  organizationName: z.string().trim().min(1).max(100),
});
export type SignUpInput = z.infer<typeof SignUpInput>;

export const InviteToken = z.string().min(10).max(200);

export const InviteInfoInput = z.object({ token: InviteToken });
export type InviteInfoInput = z.infer<typeof InviteInfoInput>;

export const AcceptInviteInput = z.object({
  token: InviteToken,
  name: z.string().trim().min(1).max(100),
  password: Password,
});
export type AcceptInviteInput = z.infer<typeof AcceptInviteInput>;
