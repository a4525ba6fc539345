import { describe, expect, test } from "vitest";
import { AppError } from "@/lib/errors";
import { decodeCursor, encodeCursor } from "./execution-cursor";

describe("execution cursor", () => {
  test("round-trips the last row's (queuedAt, id)", () => {
    const c = { queuedAt: new Date("2026-01-02T03:04:05.678Z"), id: "cmabc123" };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });

  test("a cursor that was not made here is BAD_INPUT", () => {
    for (const bad of ["", "garbage", Buffer.from('["not a date", "x"]').toString("base64url"), Buffer.from("[1]").toString("base64url")]) {
      expect(() => decodeCursor(bad)).toThrow(AppError);
    }
  });
});
