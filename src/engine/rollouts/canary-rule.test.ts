import { describe, expect, it } from "vitest";
import { judgeCanary } from "./canary-rule";

describe("the canary halt rule", () => {
  it("waits until the slice has 20 finished runs, however bad they look", () => {
    expect(judgeCanary({ terminal: 19, failed: 19 }, { terminal: 100, failed: 0 }).halt).toBe(false);
  });

  it("halts when the slice fails more than 20 points above and over twice the old version's rate", () => {
    const v = judgeCanary({ terminal: 20, failed: 10 }, { terminal: 100, failed: 5 });
    expect(v).toMatchObject({ halt: true });
    expect(v.reason).toContain("slice 10/20 failed (50 %)");
  });

  it("does not halt for a small difference, nor for one under twice the old rate", () => {
    expect(judgeCanary({ terminal: 40, failed: 10 }, { terminal: 100, failed: 10 }).halt).toBe(false); // 25 % vs 10 %: +15 points
    expect(judgeCanary({ terminal: 40, failed: 30 }, { terminal: 100, failed: 50 }).halt).toBe(false); // 75 % vs 50 %: 1.5×
  });

  it("compares with 0 % when the old version has no runs", () => {
    expect(judgeCanary({ terminal: 20, failed: 5 }, { terminal: 0, failed: 0 }).halt).toBe(true);
    expect(judgeCanary({ terminal: 20, failed: 4 }, { terminal: 0, failed: 0 }).halt).toBe(false);
  });
});
