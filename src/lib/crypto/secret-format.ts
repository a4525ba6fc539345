import { aadOf, fromB64url, open, seal, toB64url } from "./aes-gcm";
import { DecryptionError } from "./errors";

// Ciphertext string: "v1.<dataKeyId>.<iv>.<tag>.<ct>" (base64url parts). The data key id says
// which key to fetch; the AAD binds organization, data key id and an optional caller context
// (e.g. "connection:<id>:credentials") so a ciphertext moved to another org or row fails.

export const SECRET_VERSION = "v1";

export interface SecretBinding {
  organizationId: string;
  dataKeyId: string;
  /** Where the secret lives; decrypt must pass the same value. Empty when not given. */
  context?: string;
}

export interface ParsedSecret {
  version: typeof SECRET_VERSION;
  dataKeyId: string;
  iv: Buffer;
  tag: Buffer;
  ct: Buffer;
}

function secretAad(b: SecretBinding) {
  return aadOf("portico-secret", SECRET_VERSION, b.organizationId, b.dataKeyId, b.context ?? "");
}

export function encryptWithDataKey(dataKey: Buffer, binding: SecretBinding, plaintext: string): string {
  if (!binding.dataKeyId || binding.dataKeyId.includes(".")) throw new TypeError("data key id must be non-empty and dot-free");
  const { iv, tag, ct } = seal(dataKey, Buffer.from(plaintext, "utf8"), secretAad(binding));
  return [SECRET_VERSION, binding.dataKeyId, toB64url(iv), toB64url(tag), toB64url(ct)].join(".");
}

export function parseSecret(ciphertext: string): ParsedSecret {
  const parts = typeof ciphertext === "string" ? ciphertext.split(".") : [];
  if (parts.length !== 5) throw new DecryptionError("malformed", "ciphertext is malformed (expected 5 dot-separated parts)");
  const [version, dataKeyId, iv, tag, ct] = parts as [string, string, string, string, string];
  if (version !== SECRET_VERSION) {
    // Only print the version if it looks like one: the string might be a plaintext stored by mistake.
    const shown = /^v\d{1,3}$/.test(version) ? ` ${version}` : "";
    throw new DecryptionError("malformed", `ciphertext has unsupported version${shown}`);
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(dataKeyId)) throw new DecryptionError("malformed", "ciphertext has a malformed data key id");
  return {
    version,
    dataKeyId,
    iv: fromB64url(iv, "ciphertext"),
    tag: fromB64url(tag, "ciphertext"),
    ct: fromB64url(ct, "ciphertext"),
  };
}

/** `binding.dataKeyId` must be the id the key was fetched for; a mismatch fails authentication. */
export function decryptWithDataKey(dataKey: Buffer, binding: SecretBinding, ciphertext: string | ParsedSecret): string {
  const parsed = typeof ciphertext === "string" ? parseSecret(ciphertext) : ciphertext;
  if (parsed.dataKeyId !== binding.dataKeyId) {
    throw new DecryptionError("unknown-data-key", "ciphertext was encrypted with a different data key");
  }
  const bytes = open(dataKey, parsed, secretAad(binding), "ciphertext");
  return bytes.toString("utf8");
}
