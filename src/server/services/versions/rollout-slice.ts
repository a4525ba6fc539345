import { z } from "zod";

/** Which instances of the old version a rollout moves first. */
export const SliceSpec = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("count"), count: z.number().int().min(1).max(100_000) }),
  z.object({ kind: z.literal("percent"), percent: z.number().min(1).max(100) }),
  z.object({ kind: z.literal("label"), label: z.string().trim().min(1).max(100) }),
]);
export type SliceSpec = z.infer<typeof SliceSpec>;

export function describeSlice(s: SliceSpec): string {
  switch (s.kind) {
    case "count":
      return `${s.count} instance${s.count === 1 ? "" : "s"}`;
    case "percent":
      return `${s.percent} % of instances`;
    case "label":
      return `customers labelled "${s.label}"`;
  }
}

/**
 * The slice out of the old version's instances, oldest first (a stable order, so the same
 * spec picks the same instances). A percentage rounds up: 10 % of 3 instances is 1, not 0.
 */
export function selectSlice<T extends { id: string; customer: { labels: string[] } }>(candidates: T[], spec: SliceSpec): T[] {
  switch (spec.kind) {
    case "count":
      return candidates.slice(0, spec.count);
    case "percent":
      return candidates.slice(0, Math.ceil((candidates.length * spec.percent) / 100));
    case "label":
      return candidates.filter((c) => c.customer.labels.includes(spec.label));
  }
}
