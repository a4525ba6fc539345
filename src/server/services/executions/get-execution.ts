import type { LogLevel, StepStatus, ErrorClass } from "@/generated/prisma/client";
import { getOwnedExecution, inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { EXECUTION_ITEM_INCLUDE, durationMs, toExecutionListItem, type ExecutionListItem } from "./execution-item";

const PAYLOAD_PREVIEW_BYTES = 8 * 1024;
// A run that logs in a loop can hold many thousands of lines; the detail view shows the first
// ones rather than shipping megabytes to a browser.
const MAX_LOGS = 2_000;
const MAX_EXCHANGES = 500;

export type ExecutionDetail = ExecutionListItem & {
  triggerSource: string | null;
  contentType: string | null;
  payloadPreview: string | null;
  replayOfId: string | null;
  traceId: string | null;
  steps: {
    id: string;
    seq: number;
    name: string;
    status: StepStatus;
    attempt: number;
    startedAt: Date;
    finishedAt: Date | null;
    durationMs: number | null;
    errorClass: ErrorClass | null;
    errorMessage: string | null;
    output: unknown;
  }[];
  logs: { id: string; at: Date; level: LogLevel; message: string; stepName: string | null; data: unknown }[];
  /** More log lines exist than `logs` holds (the first MAX_LOGS are shown). */
  logsTruncated: boolean;
  /** More exchanges exist than `httpExchanges` holds. */
  httpExchangesTruncated: boolean;
  httpExchanges: {
    id: string;
    stepName: string | null;
    method: string;
    url: string;
    status: number | null;
    durationMs: number | null;
    startedAt: Date;
    error: string | null;
    requestHeaders: unknown;
    requestBody: string | null;
    responseHeaders: unknown;
    responseBody: string | null;
  }[];
};

/** The first 8 KiB of the payload as text (a cut multi-byte character decodes as U+FFFD). */
export function payloadPreview(payload: Uint8Array | null): string | null {
  if (!payload) return null;
  return new TextDecoder("utf-8", { fatal: false }).decode(payload.subarray(0, PAYLOAD_PREVIEW_BYTES));
}

export async function getExecution(scope: OrgScope, id: string): Promise<ExecutionDetail> {
  const owned = await getOwnedExecution(scope, id);
  const byRun = { executionId: owned.id, ...inOrg(scope) };
  const [row, steps, logs, httpExchanges] = await Promise.all([
    scope.db.execution.findUniqueOrThrow({ where: { id: owned.id }, include: EXECUTION_ITEM_INCLUDE }),
    scope.db.stepRun.findMany({ where: byRun, orderBy: { seq: "asc" } }),
    scope.db.logEntry.findMany({ where: byRun, orderBy: [{ at: "asc" }, { id: "asc" }], take: MAX_LOGS + 1 }),
    scope.db.httpExchange.findMany({
      where: byRun,
      orderBy: [{ startedAt: "asc" }, { id: "asc" }],
      take: MAX_EXCHANGES + 1,
    }),
  ]);
  return {
    ...toExecutionListItem(row),
    triggerSource: row.triggerSource,
    contentType: row.contentType,
    payloadPreview: payloadPreview(row.payload),
    replayOfId: row.replayOfId,
    traceId: row.traceId,
    steps: steps.map((s) => ({
      id: s.id,
      seq: s.seq,
      name: s.name,
      status: s.status,
      attempt: s.attempt,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      durationMs: durationMs(s.startedAt, s.finishedAt),
      errorClass: s.errorClass,
      errorMessage: s.errorMessage,
      output: s.output,
    })),
    logsTruncated: logs.length > MAX_LOGS,
    httpExchangesTruncated: httpExchanges.length > MAX_EXCHANGES,
    logs: logs.slice(0, MAX_LOGS).map((l) => ({ id: l.id, at: l.at, level: l.level, message: l.message, stepName: l.stepName, data: l.data })),
    httpExchanges: httpExchanges.slice(0, MAX_EXCHANGES).map((h) => ({
      id: h.id,
      stepName: h.stepName,
      method: h.method,
      url: h.url,
      status: h.status,
      durationMs: h.durationMs,
      startedAt: h.startedAt,
      error: h.error,
      requestHeaders: h.requestHeaders,
      requestBody: h.requestBody,
      responseHeaders: h.responseHeaders,
      responseBody: h.responseBody,
    })),
  };
}
