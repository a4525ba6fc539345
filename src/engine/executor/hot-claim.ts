import type pg from "pg";
import { asPgError } from "./pg-errors";

// The common case of starting a run in ONE round trip (prepared statement on the plain pg pool):
// claim the row (QUEUED/RETYING[/RUNNING] → RUNNING, attempt + 1) if its instance is ACTIVE and
// the flow has no ordering key, and read everything the run needs — the execution, its customer,
// version, instance with its connections, and the steps earlier attempts stored. Anything else
// (held, deleted, ordered, a breaker probe, already taken) is not claimed here and is left to the
// general path in run-execution.ts, which decides what to do with it.

export interface HotExecution {
  id: string;
  organizationId: string;
  instanceId: string;
  status: string;
  /** The attempt before this claim (the general path's shape); the claim's own attempt is `attempt + 1`. */
  attempt: number;
  startedAt: Date | null;
  queuedAt: Date;
  flowKey: string;
  triggerType: string;
  triggerSource: string | null;
  orderingKey: string | null;
  contentType: string | null;
  payload: Uint8Array | null;
  customer: { id: string; externalId: string; name: string | null };
  version: { id: string; sha256: string };
  instance: {
    id: string;
    versionId: string;
    status: string;
    config: unknown;
    consecutiveFailures: number;
    connections: { key: string; connection: { id: string; appKey: string; authType: string; secret: string; status: string } }[];
  };
  steps: { seq: number; name: string; status: string; output: unknown }[];
}

/** What a claim writes (the row is `e`; $3 the retry-attempt hints). Shared with claim-batcher.ts. */
export const CLAIM_SET_SQL = `SET status = 'RUNNING', attempt = e.attempt + 1, "nextAttemptAt" = NULL,
      "startedAt" = COALESCE(e."startedAt", (now() AT TIME ZONE 'UTC')),
      "maxAttempts" = COALESCE(($3::jsonb ->> (e."versionId" || ' ' || e."flowKey"))::int, e."maxAttempts")`;

/** The columns and joins of the loaded run (`e` the execution, `c` the claimed ids). Shared with claim-batcher.ts. */
export const CLAIM_SELECT_SQL = `SELECT e.id, e."organizationId", e."instanceId", e.status::text AS status, e.attempt, e."flowKey", e."triggerType"::text AS "triggerType",
  e."triggerSource", e."orderingKey", e."contentType", e.payload,
  (c.id IS NOT NULL) AS claimed,
  cu.id AS "customerId", cu."externalId" AS "customerExternalId", cu.name AS "customerName",
  v.id AS "versionId", v.sha256,
  i."versionId" AS "instanceVersionId", i.status::text AS "instanceStatus", i.config, i."consecutiveFailures",
  (SELECT coalesce(json_agg(json_build_object('key', ic.key, 'connection', json_build_object(
      'id', co.id, 'appKey', co."appKey", 'authType', co."authType", 'secret', co.secret, 'status', co.status))), '[]'::json)
    FROM "InstanceConnection" ic JOIN "Connection" co ON co.id = ic."connectionId" WHERE ic."instanceId" = e."instanceId") AS connections,
  (SELECT coalesce(json_agg(json_build_object('seq', s.seq, 'name', s.name, 'status', s.status, 'output', s.output)), '[]'::json)
    FROM "StepRun" s WHERE s."executionId" = e.id) AS steps`;

export const CLAIM_JOINS_SQL = `JOIN "Instance" i ON i.id = e."instanceId"
JOIN "Customer" cu ON cu.id = e."customerId"
JOIN "IntegrationVersion" v ON v.id = e."versionId"
LEFT JOIN c ON c.id = e.id`;

const CLAIM_SQL = `
WITH c AS (
  UPDATE "Execution" e
  ${CLAIM_SET_SQL}
  FROM "Instance" i
  WHERE e.id = $1 AND e.status::text = ANY($2::text[]) AND e."orderingKey" IS NULL
    AND i.id = e."instanceId" AND i.status = 'ACTIVE'
  RETURNING e.id
)
${CLAIM_SELECT_SQL}
FROM "Execution" e
${CLAIM_JOINS_SQL}
WHERE e.id = $1`;

export interface HotClaimRow {
  id: string;
  organizationId: string;
  instanceId: string;
  status: string;
  attempt: number;
  flowKey: string;
  triggerType: string;
  triggerSource: string | null;
  orderingKey: string | null;
  contentType: string | null;
  payload: Buffer | null;
  claimed: boolean;
  customerId: string;
  customerExternalId: string;
  customerName: string | null;
  versionId: string;
  sha256: string;
  instanceVersionId: string;
  instanceStatus: string;
  config: unknown;
  consecutiveFailures: number;
  connections: HotExecution["instance"]["connections"];
  steps: HotExecution["steps"];
}

/** Retry attempts per "versionId flowKey", as far as this process knows them (written with the claim). */
export class MaxAttemptsHints {
  private readonly map: Record<string, number> = {};
  private json = "{}";
  private size = 0;

  get(): string {
    return this.json;
  }

  note(versionId: string, flowKey: string, maxAttempts: number) {
    const key = `${versionId} ${flowKey}`;
    if (this.map[key] === maxAttempts || this.size >= 500) return;
    if (!(key in this.map)) this.size++;
    this.map[key] = maxAttempts;
    this.json = JSON.stringify(this.map);
  }
}

/**
 * Claims `executionId` when it is an ordinary runnable run. `claimed: false` with the row: not
 * claimed here (the caller takes the general path); `null`: no such execution.
 */
export async function hotClaim(
  pool: pg.Pool,
  executionId: string,
  claimable: readonly string[],
  hints: MaxAttemptsHints,
): Promise<{ claimed: boolean; ex: HotExecution } | null> {
  let res: pg.QueryResult<HotClaimRow>;
  try {
    res = await pool.query<HotClaimRow>({ name: "portico-claim-run", text: CLAIM_SQL, values: [executionId, claimable, hints.get()] });
  } catch (err) {
    throw asPgError(err);
  }
  const r = res.rows[0];
  return r ? hotResult(r) : null;
}

/** A claim statement's row as the run's claim result (shared with claim-batcher.ts). */
export function hotResult(r: HotClaimRow): { claimed: boolean; ex: HotExecution } {
  const ex: HotExecution = {
    id: r.id,
    organizationId: r.organizationId,
    instanceId: r.instanceId,
    status: r.status,
    attempt: r.attempt, // read before the claim (same statement snapshot)
    startedAt: null,
    queuedAt: new Date(0),
    flowKey: r.flowKey,
    triggerType: r.triggerType,
    triggerSource: r.triggerSource,
    orderingKey: r.orderingKey,
    contentType: r.contentType,
    payload: r.payload,
    customer: { id: r.customerId, externalId: r.customerExternalId, name: r.customerName },
    version: { id: r.versionId, sha256: r.sha256 },
    instance: {
      id: r.instanceId,
      versionId: r.instanceVersionId,
      status: r.instanceStatus,
      config: r.config,
      consecutiveFailures: r.consecutiveFailures,
      connections: r.connections,
    },
    steps: r.steps,
  };
  return { claimed: r.claimed, ex };
}
