import { describe, expect, test } from "vitest";
import { generateApiKey, hashApiKey } from "./api-keys";

describe("API keys", () => {
  test("a key is pk_ + 32 random bytes (base64url), with a 10-character prefix and its SHA-256", () => {
    const { key, prefix, hash } = generateApiKey();
    expect(key).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice(3), "base64url")).toHaveLength(32);
    expect(prefix).toBe(key.slice(0, 10));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key)).toBe(hash);
  });

  test("two keys never repeat", () => {
    expect(generateApiKey().key).not.toBe(generateApiKey().key);
  });
});
