import type { Dispatcher } from "undici";
import { Prisma, type Db } from "@/lib/db";
import { pgSafeJsonText } from "@/lib/pg-json";
import type { Logger } from "@/lib/logger";
import { decryptJson } from "@/lib/crypto";
import { enqueueExecution, QUEUES, type ExecutionsQueue } from "@/lib/queues";
import { AuthError, ConfigError, type AnyIntegration, type TriggerType } from "@/sdk";
import { connectionSecretContext } from "../connection-secret";
import { isDatabaseUnavailable } from "../db-errors";
import { loadVersionBundle, versionBundleCode } from "../bundle/bundle-cache";
import { configForVersion } from "../rollouts/config-for-version";
import { DEFAULT_RETRY } from "../bundle/manifest";
import type { AddressPolicy } from "../http/address-policy";
import { secretsOf, type ConnectionRuntime, type Credentials } from "../http/http-client";
import { deferRun } from "../rate-limit/defer-run";
import { requeueDelayOf } from "../rate-limit/rate-limit-deferral";
import type { RateLimiter } from "../rate-limit/rate-limiter";
import { mergeRateLimits, parseRateLimits } from "../rate-limit/rate-limits";
import type { SandboxPool } from "../sandbox/sandbox-pool";
import { afterRunFailed, afterRunSucceeded, PROBE_SOURCE } from "../breaker/breaker";
import { claimInOrder, orderingWaitMs } from "../ordering/claim-in-order";
import { classifyError, customerMessage, isRunTakenOver, RunTimeoutError } from "./classify";
import { createFlowContext } from "./flow-context";
import { decideRetry } from "./retry-policy";
import { RunRecords } from "./run-records";
import { claimBatcherFor } from "./claim-batcher";
import type { MaxAttemptsHints } from "./hot-claim";
import type { RecordWriter } from "./record-writer";
import type pg from "pg";

export interface ExecutorDeps {
  db: Db;
  /** Where retry attempts are added (delayed jobs). */
  queue: ExecutionsQueue;
  logger: Logger;
  /** The process's outbound pool (createOutboundAgent) and its address policy. */
  dispatcher: Dispatcher;
  policy: AddressPolicy;
  /** First retry delay; doubles per attempt up to the flow's maxDelayMs. Default 1 s. */
  retryBaseDelayMs?: number;
  /** Wall-time ceiling of one attempt (a flow's own `timeoutMs` wins). Default 15 minutes. */
  runTimeoutMs?: number;
  /** Where integration code runs (worker threads with time and memory limits); in-process without it. */
  sandbox?: SandboxPool;
  decryptCredentials?: (db: Db, organizationId: string, ciphertext: string, connectionId: string) => Promise<Credentials>;
  /** Shared outbound rate limits (Redis); calls are not limited without it. */
  rateLimiter?: RateLimiter;
  /** Response cap per call (default DEFAULT_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /**
   * The fast path (start-executor.ts): runs claimed in one statement on a plain pg pool, and
   * step results and final statuses group-committed across runs. Without it, Prisma throughout.
   */
  hot?: { pool: pg.Pool; writer: RecordWriter; hints: MaxAttemptsHints };
}

export type RunOutcome = "succeeded" | "failed" | "retrying" | "held" | "cancelled" | "skipped";

const TRIGGER: Record<string, TriggerType> = { WEBHOOK: "webhook", EVENT: "event", SCHEDULE: "schedule", MANUAL: "manual" };
const AUTH_KIND = { OAUTH2: "oauth2", API_KEY: "apiKey", BASIC: "basic", NONE: "none" } as const;
const MAX_RESULT_BYTES = 64 * 1024;


const defaultDecrypt = (db: Db, organizationId: string, ciphertext: string, connectionId: string) =>
  decryptJson<Credentials>(db, organizationId, ciphertext, { context: connectionSecretContext(connectionId) });

function resultJson(value: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  if (value === undefined) return Prisma.DbNull;
  try {
    const raw = JSON.stringify(value);
    if (raw === undefined) return Prisma.DbNull;
    const text = pgSafeJsonText(raw);
    if (text.length > MAX_RESULT_BYTES) return { truncated: true, bytes: text.length };
    return JSON.parse(text) as Prisma.InputJsonValue;
  } catch {
    return { unserializable: true };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RunTimeoutError(`the run did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  // The flow may keep running after a timeout (no isolation yet): keep its late failure quiet.
  promise.catch(() => {});
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const executionSelect = {
  id: true,
  organizationId: true,
  instanceId: true,
  status: true,
  attempt: true,
  startedAt: true,
  flowKey: true,
  triggerType: true,
  triggerSource: true,
  orderingKey: true,
  queuedAt: true,
  contentType: true,
  payload: true,
  customer: { select: { id: true, externalId: true, name: true } },
  version: { select: { id: true, sha256: true } },
  instance: {
    select: {
      id: true,
      versionId: true,
      status: true,
      config: true,
      consecutiveFailures: true,
      connections: {
        select: { key: true, connection: { select: { id: true, appKey: true, authType: true, secret: true, status: true } } },
      },
    },
  },
  steps: { select: { seq: true, name: true, status: true, output: true } },
} satisfies Prisma.ExecutionSelect;

type LoadedExecution = Prisma.ExecutionGetPayload<{ select: typeof executionSelect }>;

/** A delayed job of a fresh id: the job running now still holds the run's usual id. */
async function enqueueWait(deps: ExecutorDeps, executionId: string, delayMs: number) {
  const jobId = `${executionId}-w${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
  await deps.queue
    .add(QUEUES.executions.jobs.run.name, { executionId }, { jobId, delay: delayMs })
    .catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, "could not re-queue an ordered run; left for the reconciler"));
}

async function definitionOf(db: Db, version: { id: string; sha256: string }): Promise<AnyIntegration> {
  // Memory, then the disk cache by sha256, then Postgres (bundle-cache.ts).
  return loadVersionBundle(db, version);
}

async function connectionsOf(
  deps: ExecutorDeps,
  ex: LoadedExecution,
  def: AnyIntegration,
): Promise<{ runtimes: Record<string, ConnectionRuntime>; appNames: Record<string, string> }> {
  const declared = Object.entries(def.connections ?? {});
  const appKeys = [...new Set(declared.map(([, d]) => d.app))];
  const apps = appKeys.length
    ? await deps.db.app.findMany({
        where: { organizationId: ex.organizationId, key: { in: appKeys } },
        select: { key: true, name: true, baseUrl: true, apiKeyHeader: true, rateLimits: true },
      })
    : [];
  const appNames = Object.fromEntries(apps.map((a) => [a.key, a.name]));
  const runtimes: Record<string, ConnectionRuntime> = {};
  for (const [key, decl] of declared) {
    const app = apps.find((a) => a.key === decl.app);
    if (!app) throw new ConfigError(`the app "${decl.app}" is not set up in Portico`, { app: decl.app });
    const binding = ex.instance.connections.find((c) => c.key === key);
    const limits = mergeRateLimits(parseRateLimits(app.rateLimits), parseRateLimits(decl.rateLimits));
    const rateLimit = { organizationId: ex.organizationId, appKey: decl.app, connectionId: binding?.connection.id ?? null, limits };
    if (!binding) {
      if (decl.auth !== "none") throw new ConfigError(`the "${key}" connection is not set up for this instance`, { app: decl.app });
      runtimes[key] = { key, app: decl.app, baseUrl: app.baseUrl, auth: "none", credentials: {}, rateLimit };
      continue;
    }
    const c = binding.connection;
    if (c.status === "EXPIRED" || c.status === "REVOKED")
      throw new AuthError(`the "${key}" connection is ${c.status.toLowerCase()}`, { app: decl.app });
    const decrypt = deps.decryptCredentials ?? defaultDecrypt;
    const credentials = c.authType === "NONE" ? {} : await decrypt(deps.db, ex.organizationId, c.secret, c.id);
    runtimes[key] = { key, app: decl.app, baseUrl: app.baseUrl, auth: AUTH_KIND[c.authType], credentials, apiKeyHeader: app.apiKeyHeader, rateLimit };
  }
  return { runtimes, appNames };
}

/**
 * Runs the next attempt of one execution and records its outcome. Safe to call twice for the
 * same id: only one caller claims the row (QUEUED/RETRYING → RUNNING). `redelivered` (a job
 * BullMQ hands out again after a crashed or failed attempt) may also take over a RUNNING row.
 * Throws only when PostgreSQL fails; the caller's queue then redelivers the job.
 */
export async function runExecution(
  deps: ExecutorDeps,
  executionId: string,
  opts: { redelivered?: boolean } = {},
): Promise<{ outcome: RunOutcome }> {
  const { db } = deps;
  const logger = deps.logger.child({ runId: executionId });

  const claimable = opts.redelivered ? ["QUEUED", "RETRYING", "RUNNING"] : ["QUEUED", "RETRYING"];
  // Common case in one round trip: claimed and loaded together (hot-claim.ts), batched with the
  // claims of runs starting alongside (claim-batcher.ts). What it leaves unclaimed (held,
  // deleted, ordered, a probe, already taken) goes the general way below.
  const hot = deps.hot ? await claimBatcherFor(deps.hot.pool, deps.hot.hints).claim(executionId, claimable) : undefined;
  const claimedFast = hot?.claimed === true;
  const ex =
    hot === null
      ? null
      : claimedFast
        ? (hot!.ex as unknown as LoadedExecution) // same shape; enums as their strings
        : await db.execution.findUnique({ where: { id: executionId }, select: executionSelect });
  if (!ex) {
    logger.warn("execution not found; job dropped");
    return { outcome: "skipped" };
  }
  if (!claimable.includes(ex.status)) return { outcome: "skipped" };

  if (ex.instance.status === "DELETED") {
    await db.execution.updateMany({
      where: { id: ex.id, status: { in: ["QUEUED", "RETRYING", "RUNNING"] } },
      data: { status: "CANCELLED", errorClass: "CANCELLED", finishedAt: new Date(), customerMessage: "The integration was removed before this run started." },
    });
    return { outcome: "cancelled" };
  }
  // A paused instance holds its runs: they stay QUEUED/RETRYING and are queued again on resume.
  // …except the breaker's half-open probe, which is what may bring it back (src/engine/breaker).
  const isProbe = ex.triggerSource === PROBE_SOURCE && ex.instance.status === "NEEDS_ATTENTION";
  if (ex.instance.status !== "ACTIVE" && !isProbe) return { outcome: "held" };

  let def: AnyIntegration | undefined;
  let loadError: unknown;
  try {
    def = await definitionOf(db, ex.version);
  } catch (err) {
    loadError = err;
  }
  const flow = def?.flows[ex.flowKey];
  const maxAttempts = flow?.retry?.attempts ?? DEFAULT_RETRY.attempts;
  const maxDelayMs = flow?.retry?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  if (flow) deps.hot?.hints.note(ex.version.id, ex.flowKey, maxAttempts);

  const attempt = ex.attempt + 1;
  const startedAt = new Date();
  const claimData = { status: "RUNNING" as const, attempt, maxAttempts, startedAt: ex.startedAt ?? startedAt, nextAttemptAt: null };
  const claimStatuses = claimable as ("QUEUED" | "RETRYING" | "RUNNING")[];
  if (claimedFast) {
    // claimed by the hot claim above
  } else if (ex.orderingKey !== null) {
    // Ordered flow: one run per key at a time, oldest first (src/engine/ordering/claim-in-order.ts).
    const gate = await claimInOrder(db, { ...ex, orderingKey: ex.orderingKey }, claimStatuses, claimData);
    if (gate === "lost") return { outcome: "skipped" };
    if (gate === "wait") {
      // The row stays as it is (the ledger); a delayed job of its own id asks again.
      await enqueueWait(deps, ex.id, orderingWaitMs());
      return { outcome: "held" };
    }
  } else {
    const claimed = await db.execution.updateMany({ where: { id: ex.id, status: { in: claimStatuses } }, data: claimData });
    if (claimed.count === 0) return { outcome: "skipped" };
  }
  logger.debug({ attempt, flowKey: ex.flowKey }, "run started");

  const records = new RunRecords(db, { organizationId: ex.organizationId, executionId: ex.id }, logger);
  let reference: string | null = null;
  let appNames: Record<string, string> = {};
  const stillOurs = { id: ex.id, status: "RUNNING" as const, attempt };

  try {
    if (!def) throw loadError;
    if (!flow) throw new Error(`flow "${ex.flowKey}" does not exist in this version of the integration`);

    // A run keeps the version it was queued with, and that version's config (an upgrade since then keeps it).
    const config = def.config.safeParse(await configForVersion(db, ex.instance, ex.version.id));
    if (!config.success) throw new ConfigError(`the instance's settings are not valid: ${config.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`).join("; ")}`);

    const conns = await connectionsOf(deps, ex, def);
    appNames = conns.appNames;
    for (const c of Object.values(conns.runtimes)) records.addSecrets(secretsOf(c.credentials));

    const run = createFlowContext({
      db,
      logger,
      records,
      execution: { id: ex.id, organizationId: ex.organizationId, instanceId: ex.instanceId, attempt },
      config: config.data,
      connections: conns.runtimes,
      http: {
        dispatcher: deps.dispatcher,
        policy: deps.policy,
        ...(deps.rateLimiter ? { rateLimiter: deps.rateLimiter } : {}),
        ...(deps.maxResponseBytes ? { maxResponseBytes: deps.maxResponseBytes } : {}),
      },
      trigger: { type: TRIGGER[ex.triggerType] ?? "manual", contentType: ex.contentType, body: ex.payload },
      customer: ex.customer,
      completedSteps: ex.steps.map((s) => ({ ...s, output: s.output })),
      ...(deps.hot ? { writer: deps.hot.writer } : {}),
      stepScoping: deps.sandbox ? "explicit" : "async",
    });
    let result: unknown;
    try {
      const timeoutMs = flow.timeoutMs && flow.timeoutMs > 0 ? flow.timeoutMs : (deps.runTimeoutMs ?? 15 * 60_000);
      const version = ex.version;
      result = deps.sandbox
        ? await deps.sandbox.run({
            ctx: run.ctx,
            inStep: run.inStep,
            flowKey: ex.flowKey,
            timeoutMs,
            completedSteps: ex.steps,
            bundle: {
              sha256: version.sha256,
              code: () => versionBundleCode(db, version),
            },
          })
        : await withTimeout(Promise.resolve().then(() => flow.run(run.ctx)), timeoutMs);
    } finally {
      reference = run.reference();
      run.close();
    }

    const finishedAt = new Date();
    if (deps.hot) {
      const stored = resultJson(records.scrubValue(result));
      await deps.hot.writer.succeeded({
        executionId: ex.id,
        attempt,
        maxAttempts,
        finishedAt,
        result: stored === Prisma.DbNull ? null : JSON.stringify(stored),
        reference,
        resetInstanceId: ex.instance.consecutiveFailures > 0 ? ex.instanceId : null,
        ...(await records.takeRows()),
      });
    } else await records.commitWith([
      db.execution.updateMany({
        where: stillOurs,
        data: { status: "SUCCEEDED", finishedAt, result: resultJson(records.scrubValue(result)), reference, errorClass: null, errorMessage: null, customerMessage: null },
      }),
      ...(ex.instance.consecutiveFailures > 0
        ? [db.instance.update({ where: { id: ex.instanceId }, data: { consecutiveFailures: 0 } })]
        : []),
    ]);
    logger.info({ attempt, flowKey: ex.flowKey, durationMs: finishedAt.getTime() - startedAt.getTime(), reference }, "run succeeded");
    if (isProbe) await afterRunSucceeded(deps, ex).catch((e: unknown) => logger.error({ err: e }, "breaker: could not close"));
    return { outcome: "succeeded" };
  } catch (err) {
    // PostgreSQL failed under the run (e.g. a step result could not be stored during a restart):
    // that says nothing about the run, so no error class, no retry budget spent. Throw: BullMQ
    // re-delivers the job (infrastructure retry) and the run resumes after its last stored step,
    // repeating at most the unstored one — with the same idempotency key at the remote.
    if (isDatabaseUnavailable(err)) throw err;
    // Another attempt owns the run now (this one lost its lock): write nothing more, count nothing.
    if (isRunTakenOver(err)) {
      logger.warn({ attempt }, "the run was taken over by another attempt (this one lost its lock); stopping without writing");
      return { outcome: "skipped" };
    }
    // A long wait for a rate limit: back to the queue, delayed, the attempt given back.
    const deferMs = requeueDelayOf(err);
    if (deferMs !== undefined) {
      const waiting = customerMessage(classifyError(err), { attempts: attempt, final: false, appNames });
      await deferRun(deps, records, { id: ex.id, claimedAttempt: attempt, previousAttempt: ex.attempt, customerMessage: waiting }, deferMs);
      return { outcome: "retrying" };
    }
    const failure = classifyError(err);
    failure.message = records.scrub(failure.message);
    const decision = decideRetry(failure, attempt, { maxAttempts, maxDelayMs, baseDelayMs: deps.retryBaseDelayMs ?? 1_000 });
    const message = customerMessage(failure, { attempts: attempt, final: !decision.retry, appNames });
    const common = { maxAttempts, errorClass: failure.errorClass, errorMessage: failure.message, customerMessage: message, ...(reference ? { reference } : {}) };

    if (decision.retry) {
      const nextAttemptAt = new Date(Date.now() + decision.delayMs);
      await records.commitWith([db.execution.updateMany({ where: stillOurs, data: { status: "RETRYING", nextAttemptAt, ...common } })]);
      logger.info({ attempt, errorClass: failure.errorClass, delayMs: decision.delayMs, err: failure.message }, "run failed, will retry");
      try {
        await enqueueExecution(deps.queue, ex.id, { attempt, delayMs: decision.delayMs });
      } catch (enqueueErr) {
        // The RETRYING row is the ledger: the reconciler adds the job once nextAttemptAt has passed.
        logger.warn({ err: enqueueErr }, "could not queue the retry; left for the reconciler");
      }
      return { outcome: "retrying" };
    }

    await records.commitWith([
      db.execution.updateMany({ where: stillOurs, data: { status: "FAILED", finishedAt: new Date(), ...common } }),
      db.instance.update({ where: { id: ex.instanceId }, data: { consecutiveFailures: { increment: 1 } } }),
    ]);
    logger.info({ attempt, errorClass: failure.errorClass, err: failure.message }, "run failed");
    await afterRunFailed(deps, ex, failure, flow?.breaker).catch((e: unknown) => logger.error({ err: e }, "breaker: could not record the failure"));
    return { outcome: "failed" };
  }
}
