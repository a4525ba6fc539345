import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateDataKey, unwrapDataKey, wrapDataKey } from "./data-key";
import { DecryptionError } from "./errors";

const master = randomBytes(32);
const binding = { organizationId: "org_a", dataKeyId: "dk_1" };

describe("data key wrapping", () => {
  it("unwraps to the same 32-byte key, and the wrapped form does not contain it", () => {
    const dek = generateDataKey();
    const wrapped = wrapDataKey(master, dek, binding);
    expect(wrapped).not.toContain(dek.toString("base64url"));
    expect(unwrapDataKey(master, wrapped, binding).equals(dek)).toBe(true);
  });

  it("rejects the wrong master key with a message free of key material", () => {
    const dek = generateDataKey();
    const other = randomBytes(32);
    const wrapped = wrapDataKey(master, dek, binding);
    let error: unknown;
    try {
      unwrapDataKey(other, wrapped, binding);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DecryptionError);
    const message = (error as Error).message;
    for (const secret of [dek, master, other]) {
      expect(message).not.toContain(secret.toString("base64"));
      expect(message).not.toContain(secret.toString("base64url"));
      expect(message).not.toContain(secret.toString("hex"));
    }
  });

  it("rejects a wrapped key copied onto another organization's or another id's row", () => {
    const wrapped = wrapDataKey(master, generateDataKey(), binding);
    expect(() => unwrapDataKey(master, wrapped, { ...binding, organizationId: "org_b" })).toThrow(DecryptionError);
    expect(() => unwrapDataKey(master, wrapped, { ...binding, dataKeyId: "dk_2" })).toThrow(DecryptionError);
  });

  it("rejects a tampered or malformed wrapped key", () => {
    const wrapped = wrapDataKey(master, generateDataKey(), binding);
    const parts = wrapped.split(".");
    const ct = Buffer.from(parts[3]!, "base64url");
    ct[0]! ^= 0x80;
    parts[3] = ct.toString("base64url");
    expect(() => unwrapDataKey(master, parts.join("."), binding)).toThrow(DecryptionError);
    expect(() => unwrapDataKey(master, "not-a-wrapped-key", binding)).toThrow(DecryptionError);
  });
});
