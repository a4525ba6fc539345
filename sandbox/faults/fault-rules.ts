// Queued fault rules: POST /_admin/faults adds one, the next matching app requests consume it.
// Rules are checked in the order they were added; the first match wins.
import { z } from "zod";
import { nextId, type SandboxState } from "../state";

export const FAULT_MODES = ["status", "slow", "hang", "malformed", "reset", "stall", "large"] as const;

export const FaultRuleInput = z.object({
  app: z.enum(["shop", "erp"]),
  match: z
    .object({
      method: z.string().optional(),
      /** Matched against the full request path, e.g. "/erp/api/sales-orders". */
      pathPrefix: z.string().optional(),
    })
    .optional(),
  mode: z.enum(FAULT_MODES),
  /** mode "status": the status to answer (default 500). */
  status: z.number().int().min(100).max(599).optional(),
  /** Retry-After value: seconds, or a string sent verbatim (an HTTP-date). 429 defaults to 1. */
  retryAfter: z.union([z.number().nonnegative(), z.string()]).optional(),
  /** Extra response headers (mode "status"). */
  headers: z.record(z.string(), z.string()).optional(),
  /** mode "status": JSON body, or a string sent as text/plain. mode "malformed": the broken text. */
  body: z.unknown().optional(),
  /** mode "slow": delay before the app handles the request (default 1000). */
  delayMs: z.number().int().nonnegative().optional(),
  /** mode "large": response size in bytes (default 50 MiB). */
  bytes: z.number().int().positive().optional(),
  /** How many matching requests this rule applies to; -1 = until cleared. */
  times: z
    .number()
    .int()
    .refine((t) => t === -1 || t >= 1, "times must be -1 or at least 1")
    .default(1),
  /** Chance (0..1) that a matching request is hit; misses do not consume `times`. */
  probability: z.number().min(0).max(1).default(1),
  /**
   * "before" (default): the fault replaces the app, nothing is applied.
   * "after": the app handles the request (writes are applied), then the fault replaces its answer
   * — an ambiguous write.
   */
  phase: z.enum(["before", "after"]).default("before"),
});

export type FaultRuleInput = z.input<typeof FaultRuleInput>;
export type FaultRule = z.output<typeof FaultRuleInput> & { id: number; applied: number };

export function addFaultRule(state: SandboxState, input: unknown): FaultRule {
  const rule: FaultRule = { ...FaultRuleInput.parse(input), id: nextId(state), applied: 0 };
  state.faults.push(rule);
  return rule;
}

/** Finds the rule for this request and consumes one use of it. */
export function takeFault(
  state: SandboxState,
  request: { app: string; method: string; path: string },
  random: () => number = Math.random,
): FaultRule | null {
  for (let i = 0; i < state.faults.length; i++) {
    const rule = state.faults[i]!;
    if (rule.app !== request.app) continue;
    if (rule.match?.method && rule.match.method.toUpperCase() !== request.method) continue;
    if (rule.match?.pathPrefix && !request.path.startsWith(rule.match.pathPrefix)) continue;
    if (rule.probability < 1 && random() >= rule.probability) continue;
    rule.applied++;
    if (rule.times !== -1 && rule.applied >= rule.times) state.faults.splice(i, 1);
    return rule;
  }
  return null;
}
