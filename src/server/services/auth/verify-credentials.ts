import type { Db } from "@/lib/db";
import { verifyAgainstDummy, verifyPassword } from "@/lib/passwords";

/** The user for an email + password, or null; unknown emails cost the same Argon2 work as known ones. */
export async function verifyCredentials(
  db: Db,
  email: string,
  password: string,
): Promise<{ id: string; email: string; name: string | null } | null> {
  const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!user?.passwordHash) {
    await verifyAgainstDummy(password);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, password))) return null;
  return { id: user.id, email: user.email, name: user.name };
}
