import { describe, expect, it } from "vitest";
import { KeyCache } from "./key-cache";

describe("data key cache", () => {
  it("forgets an entry once its time to live has passed", () => {
    let now = 0;
    const cache = new KeyCache<string>({ ttlMs: 1000, now: () => now });
    cache.set("a", "1");
    now = 999;
    expect(cache.get("a")).toBe("1");
    now = 1000;
    expect(cache.get("a")).toBeUndefined();
  });

  it("holds at most maxEntries, evicting the least recently used", () => {
    const cache = new KeyCache<number>({ maxEntries: 2 });
    cache.set("a", 1);
    cache.set("b", 2);
    cache.get("a"); // a is now the most recent
    cache.set("c", 3);
    expect(cache.size).toBe(2);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(1);
    expect(cache.get("c")).toBe(3);
  });
});
