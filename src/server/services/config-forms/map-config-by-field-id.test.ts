import { describe, expect, it } from "vitest";
import type { ConfigForm } from "@/engine/bundle/manifest";
import { mapConfigByFieldId } from "./map-config-by-field-id";

const form = (fields: Record<string, string>): ConfigForm => ({
  pages: [{ key: "settings", title: "Settings", fields: Object.keys(fields) }],
  fields: Object.fromEntries(Object.entries(fields).map(([key, id]) => [key, { id }])),
});

describe("mapping a config to a new version by field id", () => {
  it("a renamed key with the same id keeps its value", () => {
    expect(mapConfigByFieldId({ warehouse: "EAST", account: "A" }, form({ warehouse: "wh", account: "account" }), form({ warehouseCode: "wh", account: "account" }))).toEqual({
      warehouseCode: "EAST",
      account: "A",
    });
  });

  it("two fields swapping keys swap values with them", () => {
    expect(mapConfigByFieldId({ a: 1, b: 2 }, form({ a: "x", b: "y" }), form({ a: "y", b: "x" }))).toEqual({ a: 2, b: 1 });
  });

  it("a field whose id is gone stays under its key for migrate, unless the key now belongs to another field", () => {
    expect(mapConfigByFieldId({ old: "v", extra: true }, form({ old: "old" }), form({ fresh: "fresh" }))).toEqual({ old: "v", extra: true });
    expect(mapConfigByFieldId({ region: "DE" }, form({ region: "region" }), form({ region: "regionCode" }))).toEqual({});
  });
});
