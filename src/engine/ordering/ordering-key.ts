import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { loadVersionBundle } from "../bundle/bundle-cache";
import { parsePayload } from "../executor/flow-context";

// A flow's ordering key is computed when its run is recorded (ingest, events), so every run of
// the same key is known to the gate from the start, in arrival order. Only flows whose manifest
// says `ordered` pay for loading the bundle here (cached per version sha256).

const MAX_KEY = 200;

export interface OrderingKeyInput {
  version: { id: string; sha256: string; manifest: unknown };
  flowKey: string;
  body: Uint8Array | null;
  contentType: string | null;
}

export function flowIsOrdered(manifest: unknown, flowKey: string): boolean {
  const flows = (manifest as { flows?: Record<string, { ordered?: unknown }> } | null)?.flows;
  return flows?.[flowKey]?.ordered === true;
}

/**
 * The run's ordering key, or null (unordered). A key function that throws, or a payload it cannot
 * read, leaves the run unordered: the run itself will meet the same bad payload and fail with a
 * clear class, which beats refusing the delivery.
 */
export async function orderingKeyFor(db: Db, logger: Logger, input: OrderingKeyInput): Promise<string | null> {
  if (!flowIsOrdered(input.version.manifest, input.flowKey)) return null;
  const def = await loadVersionBundle(db, input.version);
  const fn = def.flows[input.flowKey]?.orderingKey;
  if (typeof fn !== "function") return null;
  try {
    const key = fn(parsePayload(input.body, input.contentType));
    if (key === null || key === undefined || key === "") return null;
    return String(key).slice(0, MAX_KEY);
  } catch (err) {
    logger.warn({ err: (err as Error).message, flowKey: input.flowKey }, "orderingKey() failed; the run is unordered");
    return null;
  }
}
