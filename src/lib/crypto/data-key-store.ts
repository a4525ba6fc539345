import { randomUUID } from "node:crypto";
import type { Db, Prisma } from "../db";
import { generateDataKey, unwrapDataKey, wrapDataKey } from "./data-key";
import { DecryptionError, MasterKeyNotConfiguredError } from "./errors";
import type { Keyring } from "./keyring";

// Reading and creating DataKey rows. Only wrapped keys are stored; the master key never is.

/** A client or a transaction client: services may encrypt inside their own transaction. */
export type DbClient = Db | Prisma.TransactionClient;

export interface UnwrappedDataKey {
  id: string;
  key: Buffer;
}

interface DataKeyRow {
  id: string;
  organizationId: string;
  wrappedKey: string;
  masterKeyId: string;
}

/** False for a transaction client (Prisma omits $transaction from it). */
export function canStartTransaction(db: DbClient): db is Db {
  return typeof (db as { $transaction?: unknown }).$transaction === "function";
}

export function unwrapRow(keyring: Keyring, row: DataKeyRow): Buffer {
  const masterKey = keyring.get(row.masterKeyId);
  if (!masterKey) throw new MasterKeyNotConfiguredError([row.masterKeyId]);
  return unwrapDataKey(masterKey, row.wrappedKey, { organizationId: row.organizationId, dataKeyId: row.id });
}

function findActive(db: DbClient, organizationId: string) {
  return db.dataKey.findFirst({
    where: { organizationId, active: true },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

async function createUnderLock(tx: Prisma.TransactionClient, keyring: Keyring, organizationId: string) {
  // Two first encryptions for one org may race: a transaction-scoped advisory lock per org
  // serializes creation, and the re-check under the lock makes the loser reuse the winner's
  // key (READ COMMITTED: the re-check sees the winner's committed row). No schema index needed.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${"portico:data-key:" + organizationId}, 0))`;
  const existing = await findActive(tx, organizationId);
  if (existing) return { row: existing, created: false };
  const id = randomUUID();
  const key = generateDataKey();
  const row = await tx.dataKey.create({
    data: {
      id,
      organizationId,
      wrappedKey: wrapDataKey(keyring.current, key, { organizationId, dataKeyId: id }),
      masterKeyId: keyring.currentId,
      active: true,
    },
  });
  return { row, created: true, key };
}

/** The org's active data key, created (race-safely) on first use. */
export async function loadActiveDataKey(
  db: DbClient,
  keyring: Keyring,
  organizationId: string,
): Promise<UnwrappedDataKey & { created: boolean }> {
  const found = await findActive(db, organizationId);
  if (found) return { id: found.id, key: unwrapRow(keyring, found), created: false };
  const result = canStartTransaction(db)
    ? // Generous waits: first encryptions of many orgs at once may queue for pool connections.
      await db.$transaction((tx) => createUnderLock(tx, keyring, organizationId), { maxWait: 10_000, timeout: 15_000 })
    : await createUnderLock(db, keyring, organizationId); // the caller's transaction holds the lock
  return { id: result.row.id, key: result.key ?? unwrapRow(keyring, result.row), created: result.created };
}

/** A data key by id, only if it belongs to this organization (a foreign ciphertext fails here). */
export async function loadDataKeyById(db: DbClient, keyring: Keyring, organizationId: string, dataKeyId: string) {
  const row = await db.dataKey.findFirst({ where: { id: dataKeyId, organizationId } });
  if (!row) {
    throw new DecryptionError(
      "unknown-data-key",
      `ciphertext names data key ${dataKeyId}, which this organization does not have (foreign or corrupted ciphertext)`,
    );
  }
  return unwrapRow(keyring, row);
}
