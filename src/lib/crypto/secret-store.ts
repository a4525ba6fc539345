import { type DbClient, canStartTransaction, loadActiveDataKey, loadDataKeyById, type UnwrappedDataKey } from "./data-key-store";
import { DecryptionError } from "./errors";
import { KeyCache, type KeyCacheOptions } from "./key-cache";
import type { Keyring } from "./keyring";
import { type RewrapResult, rewrapDataKeys } from "./rewrap-data-keys";
import { decryptWithDataKey, encryptWithDataKey, parseSecret } from "./secret-format";

export interface SecretOptions {
  /**
   * Binds the ciphertext to where it is stored (e.g. `connection:${id}:credentials`) so it
   * cannot be moved to another row of the same org. Decrypt must pass the same value.
   */
  context?: string;
}

export interface SecretStore {
  encryptSecret(db: DbClient, organizationId: string, plaintext: string, opts?: SecretOptions): Promise<string>;
  decryptSecret(db: DbClient, organizationId: string, ciphertext: string, opts?: SecretOptions): Promise<string>;
  encryptJson(db: DbClient, organizationId: string, value: unknown, opts?: SecretOptions): Promise<string>;
  decryptJson<T = unknown>(db: DbClient, organizationId: string, ciphertext: string, opts?: SecretOptions): Promise<T>;
  rotateMasterKey(db: DbClient): Promise<RewrapResult>;
  readonly keyring: Keyring;
}

/** Envelope encryption over one keyring, with its own cache of unwrapped data keys. */
export function createSecretStore(opts: { keyring: Keyring; cache?: KeyCacheOptions }): SecretStore {
  const { keyring } = opts;
  const activeByOrg = new KeyCache<UnwrappedDataKey>(opts.cache);
  const byId = new KeyCache<Buffer>(opts.cache);
  const idKey = (organizationId: string, dataKeyId: string) => `${organizationId}\u0000${dataKeyId}`;

  async function activeKey(db: DbClient, organizationId: string): Promise<UnwrappedDataKey> {
    const cached = activeByOrg.get(organizationId);
    if (cached) return cached;
    const loaded = await loadActiveDataKey(db, keyring, organizationId);
    // Inside a caller's transaction the key may have been created there and be rolled back;
    // caching it would make later ciphertexts undecryptable. Cache only committed reads.
    if (canStartTransaction(db)) {
      const value = { id: loaded.id, key: loaded.key };
      activeByOrg.set(organizationId, value);
      byId.set(idKey(organizationId, loaded.id), loaded.key);
    }
    return loaded;
  }

  async function keyById(db: DbClient, organizationId: string, dataKeyId: string): Promise<Buffer> {
    const cached = byId.get(idKey(organizationId, dataKeyId));
    if (cached) return cached;
    const key = await loadDataKeyById(db, keyring, organizationId, dataKeyId);
    if (canStartTransaction(db)) byId.set(idKey(organizationId, dataKeyId), key);
    return key;
  }

  async function encryptSecret(db: DbClient, organizationId: string, plaintext: string, o: SecretOptions = {}) {
    if (typeof plaintext !== "string") throw new TypeError("encryptSecret takes a string; use encryptJson for values");
    const { id, key } = await activeKey(db, organizationId);
    return encryptWithDataKey(key, { organizationId, dataKeyId: id, context: o.context }, plaintext);
  }

  async function decryptSecret(db: DbClient, organizationId: string, ciphertext: string, o: SecretOptions = {}) {
    const parsed = parseSecret(ciphertext); // malformed input fails before any query
    const key = await keyById(db, organizationId, parsed.dataKeyId);
    return decryptWithDataKey(key, { organizationId, dataKeyId: parsed.dataKeyId, context: o.context }, parsed);
  }

  return {
    keyring,
    encryptSecret,
    decryptSecret,
    async encryptJson(db, organizationId, value, o) {
      const json = JSON.stringify(value);
      if (json === undefined) throw new TypeError("encryptJson: value is not JSON-serializable");
      return encryptSecret(db, organizationId, json, o);
    },
    async decryptJson<T>(db: DbClient, organizationId: string, ciphertext: string, o?: SecretOptions) {
      const json = await decryptSecret(db, organizationId, ciphertext, o);
      try {
        return JSON.parse(json) as T;
      } catch {
        // JSON.parse's message quotes the input, i.e. the plaintext: never let it out.
        throw new DecryptionError("malformed", "decrypted secret is not JSON (was it stored with encryptSecret?)");
      }
    },
    rotateMasterKey: (db) => rewrapDataKeys(db, keyring),
  };
}
