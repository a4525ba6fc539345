import { describe, expect, test } from "vitest";
import { parseCookies } from "./cookies";

describe("parseCookies", () => {
  test("reads names and decoded values; the first of a repeated name wins", () => {
    expect(parseCookies('a=1; portico-org=org%201; q="quoted"; a=2; broken=%E0%A4%A')).toEqual({
      a: "1",
      "portico-org": "org 1",
      q: "quoted",
      broken: "%E0%A4%A",
    });
    expect(parseCookies(null)).toEqual({});
  });
});
