// Messages here are read by operators and land in logs: they name ids and reasons, never key
// bytes, plaintext or ciphertext.

/** A ciphertext (or wrapped data key) that is malformed, tampered with, or belongs elsewhere. */
export class DecryptionError extends Error {
  override name = "DecryptionError";
  constructor(
    readonly reason: "malformed" | "unknown-data-key" | "authentication-failed",
    message: string,
  ) {
    super(message);
  }
}

/** A data key is wrapped by a master key this process was not given: a configuration problem. */
export class MasterKeyNotConfiguredError extends Error {
  override name = "MasterKeyNotConfiguredError";
  constructor(readonly masterKeyIds: string[]) {
    super(
      `data keys are wrapped by master key(s) ${masterKeyIds.join(", ")} which are not configured: ` +
        `put the old key in PORTICO_PREVIOUS_MASTER_KEYS (see docs/operators.md)`,
    );
  }
}
