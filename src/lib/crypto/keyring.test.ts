import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createKeyring, masterKeyId, parseKeyList } from "./keyring";

describe("keyring", () => {
  it("names a master key by the first 16 hex chars of its sha256", () => {
    const key = randomBytes(32);
    expect(masterKeyId(key)).toBe(createHash("sha256").update(key).digest("hex").slice(0, 16));
    expect(masterKeyId(key)).toMatch(/^[0-9a-f]{16}$/);
  });

  it("accepts base64 strings as in the environment and finds current and previous keys by id", () => {
    const current = randomBytes(32);
    const old = randomBytes(32);
    const ring = createKeyring({ current: current.toString("base64"), previous: [old.toString("base64")] });
    expect(ring.currentId).toBe(masterKeyId(current));
    expect(ring.get(masterKeyId(current))?.equals(current)).toBe(true);
    expect(ring.get(masterKeyId(old))?.equals(old)).toBe(true);
    expect(ring.get("0000000000000000")).toBeUndefined();
    expect(ring.ids).toHaveLength(2);
  });

  it("ignores the current key repeated among the previous ones", () => {
    const current = randomBytes(32);
    const ring = createKeyring({ current, previous: [current] });
    expect(ring.ids).toEqual([masterKeyId(current)]);
  });

  it("refuses a key that is not 32 bytes, without printing it", () => {
    const short = randomBytes(16).toString("base64");
    expect(() => createKeyring({ current: short })).toThrow(/32 bytes/);
    let message = "";
    try {
      createKeyring({ current: randomBytes(32), previous: [short] });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("previous master key #1");
    expect(message).not.toContain(short);
  });

  it("parses the comma-separated PORTICO_PREVIOUS_MASTER_KEYS list", () => {
    expect(parseKeyList("")).toEqual([]);
    expect(parseKeyList(" a= , b=,, ")).toEqual(["a=", "b="]);
  });
});
