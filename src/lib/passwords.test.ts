import { describe, expect, test } from "vitest";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "./passwords";

describe("passwords", () => {
  test("hashes with Argon2id and a fresh salt, and verifies only the right password", async () => {
    const first = await hashPassword("correct horse battery");
    const second = await hashPassword("correct horse battery");
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword(first, "correct horse battery")).toBe(true);
    expect(await verifyPassword(first, "correct horse batterz")).toBe(false);
  });

  test("a malformed stored hash fails verification instead of throwing", async () => {
    expect(await verifyPassword("not-a-hash", "anything")).toBe(false);
  });

  test("the unknown-email path does the work and says no", async () => {
    expect(await verifyAgainstDummy("whatever")).toBe(false);
  });
});
