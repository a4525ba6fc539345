import type { Db } from "@/lib/db";

/**
 * The Portico user for an OIDC sign-in. Only a verified email links: matching on an unverified
 * one would let anyone who can register that address at the IdP into the account. A new email
 * gets a user without any organization; it sees nothing until an owner invites that email.
 */
export async function linkOidcUser(
  db: Db,
  profile: { email?: unknown; email_verified?: unknown; name?: unknown },
): Promise<{ id: string } | null> {
  if (typeof profile.email !== "string" || !profile.email) return null;
  if (profile.email_verified !== true && profile.email_verified !== "true") return null;
  const email = profile.email.trim().toLowerCase();
  const name = typeof profile.name === "string" ? profile.name : null;
  return db.user.upsert({ where: { email }, create: { email, name }, update: {}, select: { id: true } });
}
