import type { NextAuthOptions } from "next-auth";
import type { OAuthConfig } from "next-auth/providers/oauth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { linkOidcUser } from "../services/auth/link-oidc-user";
import { verifyCredentials } from "../services/auth/verify-credentials";

// next-auth 4 reads its base URL from process.env itself; this is the one write to process.env
// outside env.ts, so PUBLIC_URL stays the single setting. Evaluated lazily (first request), as
// env is, so `next build` needs no environment.
function ensureNextAuthUrl() {
  process.env.NEXTAUTH_URL ??= env.PUBLIC_URL;
}

/*
 * Sign-in: email + password (Argon2id) always; a generic OpenID Connect provider ("oidc") when
 * OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set (OIDC_NAME labels the button).
 * Register `${PUBLIC_URL}/api/auth/callback/oidc` as the redirect URI at the IdP. An OIDC
 * sign-in links to the Portico user with the same *verified* email; an unknown verified email
 * gets a new user with no organization, who sees "ask for an invitation" until an owner invites
 * that email (accepting links the invitation to the same user). Unverified emails are refused.
 */

type OidcProfile = { sub: string; email?: string; email_verified?: boolean | string; name?: string };

/** The generic OIDC provider, when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are all set. */
function oidcProvider(): OAuthConfig<OidcProfile> | null {
  if (!env.OIDC_ISSUER || !env.OIDC_CLIENT_ID || !env.OIDC_CLIENT_SECRET) return null;
  return {
    id: "oidc",
    name: env.OIDC_NAME,
    type: "oauth",
    wellKnown: `${env.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    profile: (profile) => ({ id: profile.sub, email: profile.email ?? null, name: profile.name ?? null }),
  };
}

/**
 * next-auth options. `secret` and `providers` are getters, read when a request arrives (both
 * NextAuth() and getServerSession() read `secret` first), so importing this module — as
 * `next build` does — needs no environment, and NEXTAUTH_URL is set before next-auth looks.
 */
export const authOptions: NextAuthOptions = {
  get secret() {
    ensureNextAuthUrl();
    return env.NEXTAUTH_SECRET;
  },
  get providers() {
    ensureNextAuthUrl();
    const oidc = oidcProvider();
    return [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: async (credentials) => {
          if (!credentials?.email || !credentials.password) return null;
          return verifyCredentials(getDb(), credentials.email, credentials.password);
        },
      }),
      ...(oidc ? [oidc] : []),
    ];
  },
  session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
  pages: { signIn: "/signin", error: "/signin" },
  callbacks: {
    async signIn({ account, profile }) {
      if (account?.provider !== "oidc") return true;
      // Without a verified email there is no account to link to: back to /signin?error=AccessDenied.
      return (await linkOidcUser(getDb(), profile ?? {})) !== null;
    },
    async jwt({ token, account, profile }) {
      // token.sub must be the Portico user id; for OIDC next-auth puts the IdP's subject there.
      if (account?.provider === "oidc") {
        const user = await linkOidcUser(getDb(), profile ?? {});
        if (user) token.sub = user.id;
      }
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user = { ...session.user, id: token.sub };
      return session;
    },
  },
};
