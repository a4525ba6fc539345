import { describe, expect, it } from "vitest";
import { selectSlice } from "./rollout-slice";

const instances = ["a", "b", "c", "d", "e", "f", "g"].map((id, n) => ({ id, customer: { labels: n % 3 === 0 ? ["beta"] : [] } }));
const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

describe("choosing a canary slice", () => {
  it("takes the first N instances, oldest first", () => {
    expect(ids(selectSlice(instances, { kind: "count", count: 2 }))).toEqual(["a", "b"]);
    expect(ids(selectSlice(instances, { kind: "count", count: 50 }))).toHaveLength(7);
  });

  it("takes a percentage rounded up, so a small fleet still gets one canary", () => {
    expect(ids(selectSlice(instances, { kind: "percent", percent: 10 }))).toEqual(["a"]);
    expect(ids(selectSlice(instances, { kind: "percent", percent: 50 }))).toEqual(["a", "b", "c", "d"]);
  });

  it("takes the instances of customers with the label", () => {
    expect(ids(selectSlice(instances, { kind: "label", label: "beta" }))).toEqual(["a", "d", "g"]);
    expect(selectSlice(instances, { kind: "label", label: "nobody" })).toEqual([]);
  });
});
