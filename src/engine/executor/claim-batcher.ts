import type pg from "pg";
import {
  CLAIM_JOINS_SQL,
  CLAIM_SELECT_SQL,
  CLAIM_SET_SQL,
  hotClaim,
  hotResult,
  type HotClaimRow,
  type HotExecution,
  type MaxAttemptsHints,
} from "./hot-claim";
import { asPgError, isPgUnavailable } from "./pg-errors";

// Batches the hot-path claims (hot-claim.ts) of the runs BullMQ hands this executor close
// together: every claim asked while fewer than MAX_IN_FLIGHT claim statements are out goes out at
// the next turn of the event loop; whatever queues while they are out is the next batch. A batch
// is ONE statement (an UPDATE … FROM unnest($ids) … RETURNING and the same joined load), so N
// runs starting together cost one socket write and one round trip instead of N. Each run gets its
// own row exactly as hotClaim would give it: claimed, not claimed (the caller's general path
// decides — held, deleted, ordered, a probe, already taken), or null (no such execution).
// A lone claim uses hotClaim itself; an id already in the batch waits for the next one (one
// UPDATE would otherwise report both requests as claimers of one row).

type Result = { claimed: boolean; ex: HotExecution } | null;

interface Req {
  id: string;
  redelivered: boolean;
  claimable: readonly string[];
  resolve(r: Result): void;
  reject(err: unknown): void;
}

const MAX_BATCH = 64;
const MAX_IN_FLIGHT = 2;

const BATCH_SQL = `
WITH r AS (SELECT * FROM unnest($1::text[], $2::bool[]) AS r(id, redelivered)),
c AS (
  UPDATE "Execution" e
  ${CLAIM_SET_SQL}
  FROM r, "Instance" i
  WHERE e.id = r.id AND (e.status::text IN ('QUEUED', 'RETRYING') OR (r.redelivered AND e.status::text = 'RUNNING'))
    AND e."orderingKey" IS NULL AND i.id = e."instanceId" AND i.status = 'ACTIVE'
  RETURNING e.id
)
${CLAIM_SELECT_SQL}
FROM r
JOIN "Execution" e ON e.id = r.id
${CLAIM_JOINS_SQL}`;

const PLAIN = ["QUEUED", "RETRYING"];
const REDELIVERED = ["QUEUED", "RETRYING", "RUNNING"];
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

export class ClaimBatcher {
  private queue: Req[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly hints: MaxAttemptsHints,
  ) {}

  /** Same contract as hotClaim(pool, executionId, claimable, hints). */
  claim(executionId: string, claimable: readonly string[]): Promise<Result> {
    const redelivered = same(claimable, REDELIVERED);
    // Only the two claimable sets runExecution uses can share a statement.
    if (!redelivered && !same(claimable, PLAIN)) return hotClaim(this.pool, executionId, claimable, this.hints);
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ id: executionId, redelivered, claimable, resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush() {
    while (this.queue.length > 0 && this.inFlight < MAX_IN_FLIGHT) {
      const batch: Req[] = [];
      const ids = new Set<string>();
      const later: Req[] = [];
      for (const req of this.queue) {
        if (batch.length < MAX_BATCH && !ids.has(req.id)) {
          ids.add(req.id);
          batch.push(req);
        } else later.push(req);
      }
      this.queue = later;
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async send(batch: Req[]): Promise<void> {
    if (batch.length === 1) {
      const req = batch[0]!;
      await hotClaim(this.pool, req.id, req.claimable, this.hints).then(req.resolve, req.reject);
      return;
    }
    let rows: HotClaimRow[];
    try {
      const res = await this.pool.query<HotClaimRow>({
        name: "portico-claim-runs",
        text: BATCH_SQL,
        values: [batch.map((r) => r.id), batch.map((r) => r.redelivered), this.hints.get()],
      });
      rows = res.rows;
    } catch (err) {
      if (isPgUnavailable(err)) {
        const e = asPgError(err);
        for (const req of batch) req.reject(e);
        return;
      }
      // Anything else (a deadlock with another executor's batch, say) rolled the whole statement
      // back, so nothing was claimed: each run claims on its own, as without the batcher.
      await Promise.all(batch.map((req) => hotClaim(this.pool, req.id, req.claimable, this.hints).then(req.resolve, req.reject)));
      return;
    }
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const req of batch) {
      const row = byId.get(req.id);
      try {
        req.resolve(row ? hotResult(row) : null);
      } catch (err) {
        req.reject(err);
      }
    }
  }
}

const batchers = new WeakMap<pg.Pool, ClaimBatcher>();

/** The batcher of an executor's claim pool (one per pool, made on first use). */
export function claimBatcherFor(pool: pg.Pool, hints: MaxAttemptsHints): ClaimBatcher {
  let b = batchers.get(pool);
  if (!b) batchers.set(pool, (b = new ClaimBatcher(pool, hints)));
  return b;
}
