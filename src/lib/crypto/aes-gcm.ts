import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { DecryptionError } from "./errors";

// AES-256-GCM with a fresh random 96-bit nonce per message (NIST SP 800-38D 8.2.2). Random
// nonces stay safe below 2^32 messages per key; one key per organization keeps every key far below.
export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export interface Sealed {
  iv: Buffer;
  tag: Buffer;
  ct: Buffer;
}

function assertKey(key: Buffer) {
  // The length is safe to print; the key is not.
  if (key.length !== KEY_BYTES) throw new TypeError(`AES-256 key must be ${KEY_BYTES} bytes, got ${key.length}`);
}

export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ct };
}

/** Throws DecryptionError when the key, the AAD or any byte of iv/tag/ct is not what was sealed. */
export function open(key: Buffer, sealed: Sealed, aad: Buffer, what = "ciphertext"): Buffer {
  assertKey(key);
  // A short tag would weaken GCM's authentication (Node accepts 4..16 bytes): insist on 16.
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) {
    throw new DecryptionError("malformed", `${what} is malformed (bad iv or tag length)`);
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ct), decipher.final()]);
  } catch {
    // Node's own message ("Unsupported state or unable to authenticate data") says nothing useful.
    throw new DecryptionError(
      "authentication-failed",
      `${what} failed authentication: wrong key, wrong organization/context, or tampered`,
    );
  }
}

const B64URL = /^[A-Za-z0-9_-]*$/;

export function toB64url(buf: Buffer): string {
  return buf.toString("base64url");
}

/** Strict: Node's decoder silently skips invalid characters, which would hide tampering. */
export function fromB64url(text: string, what: string): Buffer {
  if (!B64URL.test(text)) throw new DecryptionError("malformed", `${what} is malformed (not base64url)`);
  return Buffer.from(text, "base64url");
}

/** Unambiguous AAD from parts (length-prefixed via JSON), so "a|b","c" never equals "a","b|c". */
export function aadOf(...parts: string[]): Buffer {
  return Buffer.from(JSON.stringify(parts), "utf8");
}
