import { getEnv } from "../env";
import { createKeyring, type Keyring, parseKeyList } from "./keyring";
import { createSecretStore, type SecretOptions, type SecretStore } from "./secret-store";
import type { DbClient } from "./data-key-store";

// The one place crypto reads the environment; everything below takes a keyring.

export function keyringFromEnv(e = getEnv()): Keyring {
  return createKeyring({ current: e.PORTICO_MASTER_KEY, previous: parseKeyList(e.PORTICO_PREVIOUS_MASTER_KEYS) });
}

let store: SecretStore | undefined;

function defaultStore(): SecretStore {
  store ??= createSecretStore({ keyring: keyringFromEnv() });
  return store;
}

/** For tests that change the master key env between cases (pair with resetEnvForTests). */
export function resetSecretStoreForTests() {
  store = undefined;
}

export const encryptSecret = (db: DbClient, organizationId: string, plaintext: string, opts?: SecretOptions) =>
  defaultStore().encryptSecret(db, organizationId, plaintext, opts);

export const decryptSecret = (db: DbClient, organizationId: string, ciphertext: string, opts?: SecretOptions) =>
  defaultStore().decryptSecret(db, organizationId, ciphertext, opts);

export const encryptJson = (db: DbClient, organizationId: string, value: unknown, opts?: SecretOptions) =>
  defaultStore().encryptJson(db, organizationId, value, opts);

export const decryptJson = <T = unknown>(db: DbClient, organizationId: string, ciphertext: string, opts?: SecretOptions) =>
  defaultStore().decryptJson<T>(db, organizationId, ciphertext, opts);

/** Re-wraps every data key not wrapped by PORTICO_MASTER_KEY (old keys from PORTICO_PREVIOUS_MASTER_KEYS). */
export const rotateMasterKey = (db: DbClient) => defaultStore().rotateMasterKey(db);
