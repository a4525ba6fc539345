// When a canary slice "fails clearly more than the old version did" (issue 3, point 6).
//
// A rollout is halted and its slice rolled back automatically when ALL of these hold:
//   1. the slice has at least MIN_SLICE_RUNS terminal runs on the new version since the rollout
//      started — fewer is noise (3 failures out of 5 says little);
//   2. the slice's failure rate is more than MARGIN_POINTS percentage points above the old
//      version's — small differences are normal variation between customers;
//   3. and more than RATIO times the old version's rate — a version that fails 45 % where the
//      old one failed 30 % is bad, but it is the remote side as much as our code.
// A run counts as terminal when it SUCCEEDED or FAILED (retries in progress are not decided yet;
// CANCELLED runs say nothing about the code). The old version's rate comes from its runs since
// BASELINE_LOOKBACK_MS before the rollout started, so a small "rest" still gives a baseline.

export const MIN_SLICE_RUNS = 20;
export const MARGIN_POINTS = 20;
export const RATIO = 2;
export const BASELINE_LOOKBACK_MS = 24 * 60 * 60 * 1000;

export interface RunCounts {
  terminal: number;
  failed: number;
}

export function failureRate(c: RunCounts): number | null {
  return c.terminal === 0 ? null : c.failed / c.terminal;
}

export type CanaryVerdict =
  | { halt: false; reason: string }
  | { halt: true; reason: string };

/** Whether the slice fails clearly more than the old version (see the rule above). */
export function judgeCanary(slice: RunCounts, baseline: RunCounts): CanaryVerdict {
  const sliceRate = failureRate(slice);
  if (sliceRate === null || slice.terminal < MIN_SLICE_RUNS)
    return { halt: false, reason: `waiting for ${MIN_SLICE_RUNS} finished runs in the slice (${slice.terminal} so far)` };
  const baseRate = failureRate(baseline) ?? 0;
  const pct = (r: number) => `${Math.round(r * 1000) / 10} %`;
  const numbers = `slice ${slice.failed}/${slice.terminal} failed (${pct(sliceRate)}), old version ${baseline.failed}/${baseline.terminal} (${pct(baseRate)})`;
  if (sliceRate > baseRate + MARGIN_POINTS / 100 && sliceRate > RATIO * baseRate)
    return { halt: true, reason: `halted automatically: ${numbers}` };
  return { halt: false, reason: `within bounds: ${numbers}` };
}
