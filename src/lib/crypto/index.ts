// Envelope encryption for secrets: AES-256-GCM, one data key per organization wrapped by the
// master key (PORTICO_MASTER_KEY). See docs/operators.md for master key rotation.
export {
  encryptSecret,
  decryptSecret,
  encryptJson,
  decryptJson,
  rotateMasterKey,
  keyringFromEnv,
  resetSecretStoreForTests,
} from "./default-store";
export { createKeyring, masterKeyId, parseKeyList, type Keyring, type MasterKeyInput } from "./keyring";
export { createSecretStore, type SecretStore, type SecretOptions } from "./secret-store";
export type { RewrapResult } from "./rewrap-data-keys";
export type { DbClient } from "./data-key-store";
export { DecryptionError, MasterKeyNotConfiguredError } from "./errors";
