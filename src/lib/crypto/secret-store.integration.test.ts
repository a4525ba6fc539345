import { randomBytes } from "node:crypto";
import { describe, expect } from "vitest";
import { createDb, type Db } from "@/lib/db";
import { dbTest } from "@/test/db-test";
import {
  createKeyring,
  createSecretStore,
  DecryptionError,
  decryptJson,
  decryptSecret,
  encryptJson,
  encryptSecret,
  MasterKeyNotConfiguredError,
  masterKeyId,
} from "@/lib/crypto";

const newMasterKey = () => randomBytes(32).toString("base64");

async function createOrg(db: Db, slug: string) {
  return db.organization.create({ data: { name: slug, slug: `${slug}-${randomBytes(4).toString("hex")}` } });
}

describe("secret store (envelope encryption over Postgres)", () => {
  dbTest("a secret encrypted for an organization decrypts for it, and only the wrapped key is stored", async ({ db }) => {
    const master = newMasterKey();
    const store = createSecretStore({ keyring: createKeyring({ current: master }) });
    const org = await createOrg(db, "acme");

    const ct = await store.encryptSecret(db, org.id, "sk_live_123");
    const json = await store.encryptJson(db, org.id, { accessToken: "at", expiresIn: 3600 });

    // A fresh store has an empty cache: this goes through Postgres and unwraps.
    const cold = createSecretStore({ keyring: createKeyring({ current: master }) });
    expect(await cold.decryptSecret(db, org.id, ct)).toBe("sk_live_123");
    expect(await cold.decryptJson(db, org.id, json)).toEqual({ accessToken: "at", expiresIn: 3600 });

    const keys = await db.dataKey.findMany({ where: { organizationId: org.id } });
    expect(keys).toHaveLength(1);
    expect(keys[0]!.masterKeyId).toBe(masterKeyId(Buffer.from(master, "base64")));
    expect(keys[0]!.active).toBe(true);
    expect(ct.split(".")[1]).toBe(keys[0]!.id);
  });

  dbTest("the default functions use PORTICO_MASTER_KEY from the environment", async ({ db }) => {
    const org = await createOrg(db, "env");
    const ct = await encryptSecret(db, org.id, "from env");
    expect(await decryptSecret(db, org.id, ct)).toBe("from env");
    expect(await decryptJson<{ n: number }>(db, org.id, await encryptJson(db, org.id, { n: 1 }))).toEqual({ n: 1 });
  });

  dbTest("a ciphertext copied to another organization does not decrypt there", async ({ db }) => {
    const store = createSecretStore({ keyring: createKeyring({ current: newMasterKey() }) });
    const a = await createOrg(db, "a");
    const b = await createOrg(db, "b");
    const ct = await store.encryptSecret(db, a.id, "a's token");
    await store.encryptSecret(db, b.id, "b's token"); // b has a key of its own too

    const error = await store.decryptSecret(db, b.id, ct).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as Error).message).not.toContain("a's token");
  });

  dbTest("concurrent first encryptions for an organization create one data key", async ({ db, databaseUrl }) => {
    const master = newMasterKey();
    // Separate clients and stores stand for separate processes: own pools, no shared cache.
    const processes = Array.from({ length: 4 }, () => ({
      db: createDb(databaseUrl, { max: 2 }),
      store: createSecretStore({ keyring: createKeyring({ current: master }) }),
    }));
    try {
      await Promise.all(processes.map((p) => p.db.$queryRaw`SELECT 1`)); // connected, so they start together
      const orgs = await Promise.all(Array.from({ length: 5 }, (_, i) => createOrg(db, `race${i}`)));
      for (const org of orgs) {
        const cts = await Promise.all(processes.map((p, i) => p.store.encryptSecret(p.db, org.id, `secret ${i}`)));

        expect(await db.dataKey.count({ where: { organizationId: org.id } })).toBe(1);
        expect(new Set(cts.map((ct) => ct.split(".")[1])).size).toBe(1);
        for (const [i, ct] of cts.entries()) expect(await processes[0]!.store.decryptSecret(db, org.id, ct)).toBe(`secret ${i}`);
      }
    } finally {
      await Promise.all(processes.map((p) => p.db.$disconnect()));
    }
  });

  dbTest("a data key created inside a transaction that rolls back is not reused afterwards", async ({ db }) => {
    const store = createSecretStore({ keyring: createKeyring({ current: newMasterKey() }) });
    const org = await createOrg(db, "rollback");
    await db
      .$transaction(async (tx) => {
        await store.encryptSecret(tx, org.id, "lost");
        throw new Error("roll back");
      })
      .catch(() => undefined);
    expect(await db.dataKey.count({ where: { organizationId: org.id } })).toBe(0);

    const ct = await store.encryptSecret(db, org.id, "kept");
    expect(await store.decryptSecret(db, org.id, ct)).toBe("kept");
  });

  dbTest("rotation re-wraps every data key, and old ciphertexts decrypt before and after dropping the old key", async ({ db }) => {
    const oldKey = newMasterKey();
    const newKey = newMasterKey();
    const before = createSecretStore({ keyring: createKeyring({ current: oldKey }) });
    const orgs = [await createOrg(db, "one"), await createOrg(db, "two")];
    const cts = await Promise.all(orgs.map((o) => before.encryptSecret(db, o.id, `token of ${o.slug}`)));
    const oldId = masterKeyId(Buffer.from(oldKey, "base64"));
    const newId = masterKeyId(Buffer.from(newKey, "base64"));

    // Step 2-3 of the procedure: new key current, old key previous. Old wrappings still work.
    const during = createSecretStore({ keyring: createKeyring({ current: newKey, previous: [oldKey] }) });
    expect(await during.decryptSecret(db, orgs[0]!.id, cts[0]!)).toBe(`token of ${orgs[0]!.slug}`);

    const wrappedBefore = await db.dataKey.findMany({ orderBy: { id: "asc" } });
    expect(await during.rotateMasterKey(db)).toEqual({ rewrapped: 2, unchanged: 0 });
    const wrappedAfter = await db.dataKey.findMany({ orderBy: { id: "asc" } });
    expect(wrappedBefore.map((k) => k.masterKeyId)).toEqual([oldId, oldId]);
    expect(wrappedAfter.map((k) => k.masterKeyId)).toEqual([newId, newId]);
    expect(wrappedAfter.map((k) => k.id)).toEqual(wrappedBefore.map((k) => k.id)); // same data keys
    expect(wrappedAfter.every((k) => k.rewrappedAt !== null)).toBe(true);

    // Running it again is a no-op.
    expect(await during.rotateMasterKey(db)).toEqual({ rewrapped: 0, unchanged: 2 });

    // Step 5: the old key is dropped; a fresh process with only the new key reads everything.
    const after = createSecretStore({ keyring: createKeyring({ current: newKey }) });
    for (const [i, org] of orgs.entries()) {
      expect(await after.decryptSecret(db, org.id, cts[i]!)).toBe(`token of ${org.slug}`);
    }
    // And a process with only the old key no longer can.
    const stale = createSecretStore({ keyring: createKeyring({ current: oldKey }) });
    await expect(stale.decryptSecret(db, orgs[0]!.id, cts[0]!)).rejects.toBeInstanceOf(MasterKeyNotConfiguredError);
  });

  dbTest("rotation without the old master key changes nothing and names the missing key", async ({ db }) => {
    const oldKey = newMasterKey();
    const org = await createOrg(db, "missing");
    await createSecretStore({ keyring: createKeyring({ current: oldKey }) }).encryptSecret(db, org.id, "x");
    const oldId = masterKeyId(Buffer.from(oldKey, "base64"));

    const without = createSecretStore({ keyring: createKeyring({ current: newMasterKey() }) });
    const error = await without.rotateMasterKey(db).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MasterKeyNotConfiguredError);
    expect((error as MasterKeyNotConfiguredError).masterKeyIds).toEqual([oldId]);
    expect((error as Error).message).not.toContain(oldKey);
    expect((await db.dataKey.findFirstOrThrow({ where: { organizationId: org.id } })).masterKeyId).toBe(oldId);
  });
});
