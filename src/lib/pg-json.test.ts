import { describe, expect, test } from "vitest";
import { pgSafeJsonText } from "./pg-json";

describe("pgSafeJsonText", () => {
  test("writes every NUL of a JSON text as U+FFFD, anywhere in the value, and nothing else", () => {
    const value = { a: "x\u0000y", list: ["\u0000", "\u0001"], "k\u0000": 1 };
    expect(JSON.parse(pgSafeJsonText(JSON.stringify(value)))).toEqual({ a: "x\uFFFDy", list: ["\uFFFD", "\u0001"], "k\uFFFD": 1 });
  });

  test("leaves a backslash followed by the letters u0000 as it was", () => {
    const value = { literal: "\\u0000", both: "\\\u0000", plain: "no nul" };
    const text = JSON.stringify(value);
    expect(JSON.parse(pgSafeJsonText(text))).toEqual({ literal: "\\u0000", both: "\\\uFFFD", plain: "no nul" });
    expect(pgSafeJsonText('{"a":1}')).toBe('{"a":1}');
  });
});
