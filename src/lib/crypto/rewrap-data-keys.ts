import { wrapDataKey } from "./data-key";
import type { DbClient } from "./data-key-store";
import { unwrapRow } from "./data-key-store";
import { MasterKeyNotConfiguredError } from "./errors";
import type { Keyring } from "./keyring";

const BATCH = 100;

export interface RewrapResult {
  /** Data keys now wrapped by the current master key that were not before. */
  rewrapped: number;
  /** Data keys that already were. */
  unchanged: number;
}

/**
 * Master key rotation: re-wraps every data key not wrapped by the keyring's current master key.
 * The data keys themselves do not change, so every existing ciphertext keeps decrypting, before,
 * during and after. Safe to run again (idempotent) and while the app serves traffic.
 */
export async function rewrapDataKeys(db: DbClient, keyring: Keyring): Promise<RewrapResult> {
  const stale = { masterKeyId: { not: keyring.currentId } };
  // Fail before touching anything if some old master key is missing: a partial rotation that
  // then drops the old key would make those organizations' secrets unreadable.
  const groups = await db.dataKey.groupBy({ by: ["masterKeyId"], where: stale });
  const missing = groups.map((g) => g.masterKeyId).filter((id) => !keyring.get(id));
  if (missing.length > 0) throw new MasterKeyNotConfiguredError(missing);

  let rewrapped = 0;
  let after: string | undefined;
  for (;;) {
    const rows = await db.dataKey.findMany({
      where: { ...stale, ...(after ? { id: { gt: after } } : {}) },
      orderBy: { id: "asc" },
      take: BATCH,
    });
    if (rows.length === 0) break;
    for (const row of rows) {
      const key = unwrapRow(keyring, row);
      const wrappedKey = wrapDataKey(keyring.current, key, { organizationId: row.organizationId, dataKeyId: row.id });
      // Conditional on the old wrapping: a concurrent rotation that got there first wins, no double count.
      const { count } = await db.dataKey.updateMany({
        where: { id: row.id, masterKeyId: row.masterKeyId, wrappedKey: row.wrappedKey },
        data: { wrappedKey, masterKeyId: keyring.currentId, rewrappedAt: new Date() },
      });
      rewrapped += count;
    }
    after = rows[rows.length - 1]!.id;
  }
  const unchanged = await db.dataKey.count({ where: { masterKeyId: keyring.currentId } }) - rewrapped;
  return { rewrapped, unchanged: Math.max(0, unchanged) };
}
