import { randomBytes } from "node:crypto";
import { KEY_BYTES, aadOf, fromB64url, open, seal, toB64url } from "./aes-gcm";
import { DecryptionError } from "./errors";

// A data key is wrapped (AES-256-GCM) by a master key. The AAD binds the wrapping to the data
// key's own row (organization + id), so a wrappedKey copied onto another org's row won't unwrap.
// Stored format: "w1.<iv>.<tag>.<ct>" (base64url); the master key id lives in its own column.

const WRAP_VERSION = "w1";

export interface DataKeyBinding {
  organizationId: string;
  dataKeyId: string;
}

export function generateDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

function wrapAad(b: DataKeyBinding) {
  return aadOf("portico-data-key", WRAP_VERSION, b.organizationId, b.dataKeyId);
}

export function wrapDataKey(masterKey: Buffer, dataKey: Buffer, binding: DataKeyBinding): string {
  const { iv, tag, ct } = seal(masterKey, dataKey, wrapAad(binding));
  return [WRAP_VERSION, toB64url(iv), toB64url(tag), toB64url(ct)].join(".");
}

export function unwrapDataKey(masterKey: Buffer, wrapped: string, binding: DataKeyBinding): Buffer {
  const parts = wrapped.split(".");
  if (parts.length !== 4 || parts[0] !== WRAP_VERSION) {
    throw new DecryptionError("malformed", `wrapped data key ${binding.dataKeyId} is malformed`);
  }
  const what = `wrapped data key ${binding.dataKeyId}`;
  const key = open(
    masterKey,
    { iv: fromB64url(parts[1]!, what), tag: fromB64url(parts[2]!, what), ct: fromB64url(parts[3]!, what) },
    wrapAad(binding),
    what,
  );
  if (key.length !== KEY_BYTES) throw new DecryptionError("malformed", `${what} has the wrong length`);
  return key;
}
