import { createHash, randomBytes } from "node:crypto";

export const API_KEY_PREFIX = "pk_";

/**
 * A new REST API key. Only `hash` is stored: the key has 256 random bits, so a fast SHA-256
 * (not a password hash) is enough, and it lets a request find its key by an indexed lookup.
 * `prefix` is kept in clear so people can tell keys apart in the console.
 */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString("base64url");
  return { key, prefix: key.slice(0, 10), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}
