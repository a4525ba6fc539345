import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DecryptionError } from "./errors";
import { decryptWithDataKey, encryptWithDataKey, parseSecret } from "./secret-format";

const key = randomBytes(32);
const binding = { organizationId: "org_a", dataKeyId: "dk_1" };
const PLAINTEXT = "sk_live_4f9a secret ünïcode ✓";

/** Flip one bit of the n-th base64url part (0 = version … 4 = ct). */
function tamperPart(ciphertext: string, index: number): string {
  const parts = ciphertext.split(".");
  const bytes = Buffer.from(parts[index]!, "base64url");
  bytes[0]! ^= 0x01;
  parts[index] = bytes.toString("base64url");
  return parts.join(".");
}

function expectDecryptionError(fn: () => unknown, reason?: DecryptionError["reason"]) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecryptionError);
    if (reason) expect((err as DecryptionError).reason).toBe(reason);
    const message = (err as Error).message;
    expect(message).not.toContain(PLAINTEXT);
    expect(message).not.toContain(key.toString("base64"));
    expect(message).not.toContain(key.toString("base64url"));
    expect(message).not.toContain(key.toString("hex"));
    return;
  }
  throw new Error("expected a DecryptionError");
}

describe("secret ciphertext format", () => {
  it("round-trips a string and carries version and data key id", () => {
    const ct = encryptWithDataKey(key, binding, PLAINTEXT);
    expect(ct).toMatch(/^v1\.dk_1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(ct).not.toContain(PLAINTEXT);
    expect(decryptWithDataKey(key, binding, ct)).toBe(PLAINTEXT);
  });

  it("round-trips the empty string", () => {
    expect(decryptWithDataKey(key, binding, encryptWithDataKey(key, binding, ""))).toBe("");
  });

  it("uses a fresh nonce each time, so equal plaintexts give different ciphertexts", () => {
    const a = encryptWithDataKey(key, binding, PLAINTEXT);
    const b = encryptWithDataKey(key, binding, PLAINTEXT);
    expect(a).not.toBe(b);
    expect(parseSecret(a).iv.equals(parseSecret(b).iv)).toBe(false);
  });

  it.each([
    ["iv", 2],
    ["tag", 3],
    ["ciphertext body", 4],
  ])("rejects a tampered %s", (_name, index) => {
    const ct = encryptWithDataKey(key, binding, PLAINTEXT);
    expectDecryptionError(() => decryptWithDataKey(key, binding, tamperPart(ct, index)), "authentication-failed");
  });

  it("rejects a tampered data key id, even when the same key is found under the new id", () => {
    const ct = encryptWithDataKey(key, binding, PLAINTEXT);
    const swapped = ct.replace(".dk_1.", ".dk_2.");
    // The store looks the key up by the id in the ciphertext; AAD still binds the original id.
    expectDecryptionError(() => decryptWithDataKey(key, { ...binding, dataKeyId: "dk_2" }, swapped), "authentication-failed");
    expectDecryptionError(() => decryptWithDataKey(key, binding, swapped), "unknown-data-key");
  });

  it("rejects a ciphertext presented for another organization", () => {
    const ct = encryptWithDataKey(key, binding, PLAINTEXT);
    expectDecryptionError(() => decryptWithDataKey(key, { ...binding, organizationId: "org_b" }, ct), "authentication-failed");
  });

  it("rejects a ciphertext presented with another context (row/field)", () => {
    const ct = encryptWithDataKey(key, { ...binding, context: "connection:c1:credentials" }, PLAINTEXT);
    expect(decryptWithDataKey(key, { ...binding, context: "connection:c1:credentials" }, ct)).toBe(PLAINTEXT);
    expectDecryptionError(() => decryptWithDataKey(key, { ...binding, context: "connection:c2:credentials" }, ct));
    expectDecryptionError(() => decryptWithDataKey(key, binding, ct));
  });

  it("rejects the wrong data key", () => {
    const ct = encryptWithDataKey(key, binding, PLAINTEXT);
    expectDecryptionError(() => decryptWithDataKey(randomBytes(32), binding, ct), "authentication-failed");
  });

  it("rejects a truncated tag instead of accepting a weaker one", () => {
    const ct = encryptWithDataKey(key, binding, PLAINTEXT);
    const parts = ct.split(".");
    parts[3] = Buffer.from(parts[3]!, "base64url").subarray(0, 4).toString("base64url");
    expectDecryptionError(() => decryptWithDataKey(key, binding, parts.join(".")), "malformed");
  });

  it.each([
    ["a plaintext stored by mistake", PLAINTEXT],
    ["too few parts", "v1.dk_1.abc"],
    ["an unknown version", "v9.dk_1.a.b.c"],
    ["non-base64url characters", "v1.dk_1.a*b.c.d"],
    ["an empty string", ""],
  ])("rejects %s as malformed without echoing it", (_name, input) => {
    expectDecryptionError(() => decryptWithDataKey(key, binding, input), "malformed");
  });
});
