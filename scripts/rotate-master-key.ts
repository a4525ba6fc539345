// Master key rotation: re-wraps every organization's data key with PORTICO_MASTER_KEY, using the
// old key from PORTICO_PREVIOUS_MASTER_KEYS. Idempotent and safe while Portico runs (data keys
// do not change, so every stored secret keeps decrypting). Procedure: docs/operators.md.
//   npx tsx scripts/rotate-master-key.ts
import { createSecretStore, keyringFromEnv, MasterKeyNotConfiguredError } from "../src/lib/crypto";
import { createDb } from "../src/lib/db";
import { EnvError, getEnv } from "../src/lib/env";

async function main(): Promise<number> {
  const env = getEnv();
  const keyring = keyringFromEnv(env);
  const previousIds = keyring.ids.filter((id) => id !== keyring.currentId);
  console.log(`current master key: ${keyring.currentId}`);
  console.log(`previous master keys: ${previousIds.length ? previousIds.join(", ") : "(none)"}`);

  const db = createDb(env.DATABASE_URL, { max: 2 });
  try {
    const { rewrapped, unchanged } = await createSecretStore({ keyring }).rotateMasterKey(db);
    const left = await db.dataKey.groupBy({
      by: ["masterKeyId"],
      where: { masterKeyId: { not: keyring.currentId } },
      _count: true,
    });
    console.log(`re-wrapped ${rewrapped} data key(s); ${unchanged} already used the current master key`);
    if (left.length > 0) {
      // Only possible if data keys were wrapped concurrently by another process still on an old key.
      for (const g of left) console.log(`still wrapped by ${g.masterKeyId}: ${g._count} (run this again)`);
      return 1;
    }
    console.log(
      previousIds.length
        ? "every data key uses the current master key: PORTICO_PREVIOUS_MASTER_KEYS may now be emptied (restart after)."
        : "every data key uses the current master key.",
    );
    return 0;
  } finally {
    await db.$disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof MasterKeyNotConfiguredError || err instanceof EnvError || err instanceof TypeError) {
      console.error(`rotation failed: ${err.message}`);
    } else {
      console.error("rotation failed:", err);
    }
    process.exit(1);
  },
);
