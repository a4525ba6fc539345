import { describe, expect, test } from "vitest";
import { firstFreeSlug, slugify } from "./organization-slug";

describe("organization slugs", () => {
  test("are lowercase ASCII with single dashes", () => {
    expect(slugify("Acme Corp.")).toBe("acme-corp");
    expect(slugify("  Crème Brûlée & Co  ")).toBe("creme-brulee-co");
    expect(slugify("日本")).toBe("org");
    expect(slugify("x".repeat(80))).toHaveLength(48);
  });

  test("take the next free number when taken", () => {
    expect(firstFreeSlug("acme", new Set())).toBe("acme");
    expect(firstFreeSlug("acme", new Set(["acme", "acme-2", "acme-corp"]))).toBe("acme-3");
  });
});
