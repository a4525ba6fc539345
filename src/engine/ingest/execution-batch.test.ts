import { describe, expect, test } from "vitest";
import { newExecutionId } from "./execution-batch";

// The ordering gate breaks ties between runs of one batch (same queuedAt) by id, so ids made by
// the hot path must sort in the order the requests arrived.
describe("newExecutionId", () => {
  test("ids are unique, cuid-shaped and sort in creation order, also within one millisecond", () => {
    const ids = Array.from({ length: 5_000 }, () => newExecutionId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^c[0-9a-z]{24}$/);
    expect([...ids].sort()).toEqual(ids);
  });
});
