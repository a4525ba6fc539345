import { hash, verify } from "@node-rs/argon2";

// @node-rs/argon2 defaults to Argon2id (its `Algorithm` is an ambient const enum, which
// isolatedModules cannot reference); the parameters below are OWASP's second recommended
// Argon2id profile (19 MiB, 2 passes, 1 lane), which is also the library default — spelled out
// so a library upgrade cannot silently weaken new hashes.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    // A malformed stored hash is a failed sign-in, not a crash of the sign-in route.
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same work as a real verification, for unknown emails: the sign-in answers in about
 * the same time whether or not the account exists, so timing does not reveal which emails do.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword("portico-dummy-password-for-timing");
  await verifyPassword(await dummyHash, password);
  return false;
}
