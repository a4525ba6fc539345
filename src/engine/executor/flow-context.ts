import { AsyncLocalStorage } from "node:async_hooks";
import { Prisma, type Db } from "@/lib/db";
import { pgSafeJsonText } from "@/lib/pg-json";
import type { Logger } from "@/lib/logger";
import type { ConnectionDeclarations, ConnectionHandle, CustomerInfo, FlowContext, HttpClient, TriggerType } from "@/sdk";
import { InvalidDataError } from "@/sdk";
import { isDatabaseUnavailable } from "../db-errors";
import { isRunTakenOver } from "./classify";
import { createHttpClient, type ConnectionRuntime, type HttpClientDeps } from "../http/http-client";
import type { RunRecords } from "./run-records";
import type { RecordWriter } from "./record-writer";

// One store for the whole process: each AsyncLocalStorage instance adds a cost to every promise
// created afterwards, so one per run made the executor slower with every run (bench: 14 → 4 runs/s).
// run() scopes the step name to the step's own async context, so runs never see each other's.
const stepScope = new AsyncLocalStorage<StepScope>();

/** The step a piece of code runs in: its name (records) and position in the run (idempotency keys). */
export interface StepScope {
  name: string;
  seq: number;
}

export interface StoredStep {
  seq: number;
  name: string;
  status: "RUNNING" | "SUCCEEDED" | "FAILED";
  output: unknown;
}

export interface FlowContextOptions {
  db: Db;
  logger: Logger;
  records: RunRecords;
  execution: { id: string; organizationId: string; instanceId: string; attempt: number };
  config: unknown;
  connections: Record<string, ConnectionRuntime>;
  http: Omit<HttpClientDeps, "record" | "currentStep" | "defaultIdempotencyKey">;
  trigger: { type: TriggerType; contentType: string | null; body: Uint8Array | null; headers?: Record<string, string> };
  customer: CustomerInfo;
  /** Steps completed by earlier attempts, by seq: they are returned, not re-run. */
  completedSteps: StoredStep[];
  /** Group commit of completed steps across runs (record-writer.ts); Prisma without it. */
  writer?: RecordWriter;
  /**
   * "async" (in-process runs): the step a log or HTTP call belongs to follows the async context
   * (AsyncLocalStorage). "explicit" (sandboxed runs): the sandbox says which step each call comes
   * from (FlowRun.inStep), so the host never enables AsyncLocalStorage — once enabled, its hooks
   * run on every promise of the process (~20% of the executor's main thread at concurrency 50).
   */
  stepScoping?: "async" | "explicit";
}

export interface FlowRun {
  /** Config and connections are typed by the integration; the engine sees them erased. */
  ctx: FlowContext<Record<string, unknown>, ConnectionDeclarations>;
  reference(): string | null;
  /** After this, the context refuses further use (a timed-out run's code may still be running). */
  close(): void;
  /**
   * Explicit scoping: runs `f` with `step` as the current step for the ctx calls `f` makes
   * synchronously (a log, the start of an HTTP call — where the step is read).
   */
  inStep<T>(step: StepScope | null, f: () => T): T;
}

const MAX_REFERENCE = 200;

/** The payload as the flow sees it: JSON parsed, forms as objects, anything else as text. */
export function parsePayload(body: Uint8Array | null, contentType: string | null): unknown {
  if (!body || body.length === 0) return null;
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  const type = (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
  if (type === "application/json" || type.endsWith("+json")) {
    try {
      return JSON.parse(text);
    } catch {
      throw new InvalidDataError("the webhook body is not valid JSON");
    }
  }
  if (type === "application/x-www-form-urlencoded") return Object.fromEntries(new URLSearchParams(text));
  return text;
}

type StoredJson = Prisma.InputJsonValue | typeof Prisma.DbNull | typeof Prisma.JsonNull;

/**
 * Step results are stored as JSON, and the live run gets the same JSON shape a retry would
 * (a Date becomes its ISO string either way), so code after a step behaves the same on both.
 */
function toJson(what: string, value: unknown): { stored: StoredJson; value: unknown } {
  if (value === undefined) return { stored: Prisma.DbNull, value: undefined };
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new Error(`${what} is not JSON: ${(err as Error).message}`);
  }
  if (text === undefined) return { stored: Prisma.DbNull, value: undefined };
  const parsed = JSON.parse(pgSafeJsonText(text)) as unknown;
  return { stored: parsed === null ? Prisma.JsonNull : (parsed as Prisma.InputJsonValue), value: parsed };
}

export function createFlowContext(o: FlowContextOptions): FlowRun {
  const explicit = o.stepScoping === "explicit";
  let explicitStep: StepScope | null = null;
  const currentScope = explicit ? () => explicitStep : () => stepScope.getStore() ?? null;
  const currentStep = () => currentScope()?.name ?? null;
  // Side-effecting calls per step position in this attempt: the n in the default idempotency key.
  const callsPerStep = new Map<number, number>();
  const defaultIdempotencyKey = () => {
    const scope = currentScope();
    if (!scope) return null;
    const n = (callsPerStep.get(scope.seq) ?? 0) + 1;
    callsPerStep.set(scope.seq, n);
    return `${o.execution.id}:${scope.seq}:${n}`;
  };
  const memo = new Map(o.completedSteps.filter((s) => s.status === "SUCCEEDED").map((s) => [s.seq, s]));
  let seq = 0;
  let reference: string | null = null;
  let closed = false;
  const guard = () => {
    if (closed) throw new Error("this run is over (timed out or finished); its context can no longer be used");
  };

  const clients = new Map<string, HttpClient>();
  const handles: Record<string, ConnectionHandle> = {};
  for (const [key, c] of Object.entries(o.connections)) handles[key] = Object.freeze({ key, app: c.app, auth: c.auth });

  const log = (level: "INFO" | "WARN" | "ERROR") => (message: string, data?: Record<string, unknown>) => {
    guard();
    o.records.log(level, message, data, currentStep());
  };

  const base = { organizationId: o.execution.organizationId, executionId: o.execution.id };

  async function step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    guard();
    const mySeq = ++seq;
    const done = memo.get(mySeq);
    // Same position, same name: this step completed in an earlier attempt. A different name
    // means the code's step order changed; run it again rather than return a stranger's result.
    if (done && done.name === name) return done.output as T;

    const startedAt = new Date();
    try {
      // An echoed credential must not be stored as the step's output (nor seen on replay).
      // Explicit scoping: the sandbox's step body learns its position from the argument.
      const scope: StepScope = { name, seq: mySeq };
      const result = o.records.scrubValue(await (explicit ? (fn as (s: StepScope) => T | Promise<T>)(scope) : stepScope.run(scope, fn)));
      const json = toJson(`the result of step "${name}"`, result);
      guard();
      const row = { status: "SUCCEEDED" as const, output: json.stored, attempt: o.execution.attempt, startedAt, finishedAt: new Date(), errorClass: null, errorMessage: null };
      // Awaited on purpose: once a step's side effect happened, its completion must be durable
      // before the run moves on, or a crash would repeat it.
      if (o.writer) {
        const output = await o.writer.stepSucceeded({
          ...base,
          seq: mySeq,
          name,
          output: json.stored === Prisma.DbNull ? null : JSON.stringify(json.stored === Prisma.JsonNull ? null : json.stored),
          attempt: o.execution.attempt,
          startedAt,
          finishedAt: row.finishedAt,
        });
        return (json.value === undefined ? undefined : output) as T;
      }
      const stored = await o.db.stepRun.upsert({
        where: { executionId_seq: { executionId: o.execution.id, seq: mySeq } },
        create: { ...base, seq: mySeq, name, ...row },
        update: { name, ...row },
        select: { output: true },
      });
      // Hand back the value as PostgreSQL returns it (jsonb reorders object keys), the very
      // shape a resumed attempt reads from the memo: a request body built from it is then
      // byte-identical on both, so a remote hashing it under an Idempotency-Key sees a replay,
      // not a 409 "key reused with a different body" (found by the kill -9 reliability test).
      return (json.value === undefined ? undefined : stored.output) as T;
    } catch (err) {
      // The step's own result could not be stored (PostgreSQL unavailable): the step did not
      // fail, the attempt will be retried — do not file it as a failed step of class BUG.
      if (!closed && !isDatabaseUnavailable(err) && !isRunTakenOver(err)) {
        const e = err as { errorClass?: string; name?: string; message?: string };
        const errorClass = (typeof e.errorClass === "string" ? e.errorClass : "BUG") as Prisma.StepRunCreateInput["errorClass"];
        const row = {
          status: "FAILED" as const,
          attempt: o.execution.attempt,
          startedAt,
          finishedAt: new Date(),
          errorClass,
          errorMessage: o.records.scrub(`${e.name ?? "Error"}: ${e.message ?? String(err)}`).slice(0, 2_000),
        };
        await o.db.stepRun
          .upsert({
            where: { executionId_seq: { executionId: o.execution.id, seq: mySeq } },
            create: { ...base, seq: mySeq, name, ...row },
            update: { name, ...row },
          })
          .catch((writeErr: unknown) => o.logger.warn({ err: writeErr }, "could not record the failed step"));
      }
      throw err;
    }
  }

  let payload: { value: unknown } | undefined;
  const trigger = {
    type: o.trigger.type,
    contentType: o.trigger.contentType,
    ...(o.trigger.headers ? { headers: o.trigger.headers } : {}),
    get payload() {
      payload ??= { value: parsePayload(o.trigger.body, o.trigger.contentType) };
      return payload.value;
    },
  };

  const ctx = {
    config: o.config,
    connections: handles,
    customer: o.customer,
    execution: { id: o.execution.id, attempt: o.execution.attempt },
    trigger,
    step,
    log: { info: log("INFO"), warn: log("WARN"), error: log("ERROR") },
    reference(id: string | number) {
      guard();
      reference = String(id).slice(0, MAX_REFERENCE);
    },
    http(connection: ConnectionHandle): HttpClient {
      guard();
      const key = connection?.key;
      const runtime = key !== undefined ? o.connections[key] : undefined;
      if (!runtime) throw new Error(`ctx.http: "${String(key)}" is not one of this integration's connections`);
      let client = clients.get(key);
      if (!client) {
        client = createHttpClient(runtime, { ...o.http, currentStep, defaultIdempotencyKey, record: (x) => o.records.http(x) });
        clients.set(key, client);
      }
      return client;
    },
    state: {
      async get<T = unknown>(key: string): Promise<T | undefined> {
        guard();
        const row = await o.db.instanceState.findUnique({
          where: { instanceId_key: { instanceId: o.execution.instanceId, key } },
          select: { value: true },
        });
        return (row?.value ?? undefined) as T | undefined;
      },
      async set(key: string, value: unknown): Promise<void> {
        guard();
        const where = { instanceId_key: { instanceId: o.execution.instanceId, key } };
        if (value === undefined) {
          await o.db.instanceState.deleteMany({ where: { instanceId: o.execution.instanceId, key } });
          return;
        }
        const json = toJson(`state "${key}"`, value);
        const stored = json.stored === Prisma.DbNull ? Prisma.JsonNull : (json.stored as Prisma.InputJsonValue | typeof Prisma.JsonNull);
        await o.db.instanceState.upsert({
          where,
          create: { organizationId: o.execution.organizationId, instanceId: o.execution.instanceId, key, value: stored },
          update: { value: stored },
        });
      },
    },
  };

  return {
    ctx: ctx as unknown as FlowRun["ctx"],
    reference: () => reference,
    close: () => {
      closed = true;
    },
    inStep<T>(step: StepScope | null, f: () => T): T {
      const outer = explicitStep;
      explicitStep = step;
      try {
        return f();
      } finally {
        explicitStep = outer;
      }
    },
  };
}
