import { createHash } from "node:crypto";
import { KEY_BYTES } from "./aes-gcm";

// The master keys this process holds: one current (wraps new data keys, target of rotation)
// and any previous ones (only unwrap, so a rotation runs while old wrappings still exist).

export interface Keyring {
  /** Id of the current master key: first 16 hex chars of sha256(key bytes). */
  readonly currentId: string;
  readonly current: Buffer;
  /** Every master key by id, current included. */
  get(masterKeyId: string): Buffer | undefined;
  readonly ids: readonly string[];
}

export type MasterKeyInput = string | Buffer;

export function masterKeyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

function toKey(input: MasterKeyInput, label: string): Buffer {
  const key = typeof input === "string" ? Buffer.from(input.trim(), "base64") : Buffer.from(input);
  if (key.length !== KEY_BYTES) throw new TypeError(`${label} must be ${KEY_BYTES} bytes (base64), got ${key.length}`);
  return key;
}

/** Keys as base64 strings (as in the environment) or raw 32-byte buffers. */
export function createKeyring(opts: { current: MasterKeyInput; previous?: readonly MasterKeyInput[] }): Keyring {
  const current = toKey(opts.current, "current master key");
  const currentId = masterKeyId(current);
  const byId = new Map<string, Buffer>([[currentId, current]]);
  (opts.previous ?? []).forEach((input, i) => {
    const key = toKey(input, `previous master key #${i + 1}`);
    const id = masterKeyId(key);
    if (!byId.has(id)) byId.set(id, key);
  });
  return {
    currentId,
    current,
    get: (id) => byId.get(id),
    ids: [...byId.keys()],
  };
}

/** "k1, k2,," → ["k1", "k2"]: the PORTICO_PREVIOUS_MASTER_KEYS format. */
export function parseKeyList(list: string): string[] {
  return list
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
}
