// The messages between the executor (host) and a sandbox worker thread. This module is bundled
// into the worker too, so it imports nothing that needs the database or the network.
import {
  AuthError,
  ConfigError,
  InvalidDataError,
  RateLimitedError,
  RemoteUnavailableError,
  type AuthKind,
  type CustomerInfo,
  type HttpRequestOptions,
  type TriggerType,
} from "@/sdk";

/** An error as it crosses the port: what classification and the customer's message read. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  errorClass?: string;
  status?: number;
  app?: string;
  retryAfterMs?: number;
}

/** What the worker builds its ctx from: plain data, never credentials. */
export interface RunContextData {
  config: unknown;
  connections: Record<string, { key: string; app: string; auth: AuthKind }>;
  customer: CustomerInfo;
  execution: { id: string; attempt: number };
  trigger: {
    type: TriggerType;
    contentType: string | null;
    headers?: Record<string, string>;
    /** Parsed by the host (it holds the raw body); a parse failure is re-thrown on read. */
    payload: { ok: true; value: unknown } | { ok: false; error: SerializedError };
  };
}

export type HttpMethodName = "get" | "post" | "put" | "patch" | "delete";

/** Calls from the worker that the host answers with a `reply`. */
export type CallOp =
  | { op: "bundle" }
  /** `eager`: the worker runs the body at once (no "runStep" go-ahead) and reports with "stepDone". */
  | { op: "step"; name: string; eager?: boolean }
  | { op: "http"; connection: string; method: HttpMethodName; path: string; options?: HttpRequestOptions }
  | { op: "stateGet"; key: string }
  | { op: "stateSet"; key: string; value: unknown };

/** Fire-and-forget from the worker; ordered with everything else on the port. */
export type NoteOp =
  | { op: "log"; level: "info" | "warn" | "error"; message: string; data?: unknown }
  | { op: "reference"; id: string | number };

export type HostToWorker =
  | {
      t: "run";
      runId: number;
      sha256: string;
      flowKey: string;
      ctx: RunContextData;
      /** Steps earlier attempts completed (SUCCEEDED), by seq: the worker returns these itself. */
      memo?: { seq: number; name: string; output: unknown }[];
      /** false: the host already knows this thread has the bundle loaded, so no "started" message. */
      announce?: boolean;
    }
  /** Run the body of step call `id` (the host decided it is not memoized). */
  | { t: "runStep"; runId: number; id: number }
  | { t: "reply"; runId: number; id: number; ok: true; value: unknown }
  | { t: "reply"; runId: number; id: number; ok: false; error: SerializedError };

export type WorkerToHost =
  /** `scope`: the id of the step call this happened inside (null outside any step). */
  | ({ t: "call"; runId: number; id: number; scope: number | null } & CallOp)
  /** A step the worker found in its memo: the host only counts it (keeps its step numbering). */
  | { t: "stepMemo"; runId: number; name: string }
  | ({ t: "note"; runId: number; scope: number | null } & NoteOp)
  /** A step body finished in the worker; `json` is its result as JSON text (undefined: no value). */
  | { t: "stepDone"; runId: number; id: number; ok: true; json: string | undefined }
  | { t: "stepDone"; runId: number; id: number; ok: false; error: SerializedError }
  /** The bundle is loaded and the flow starts: the run's own clock starts now. */
  | { t: "started"; runId: number }
  | { t: "done"; runId: number; ok: true; json: string | undefined }
  | { t: "done"; runId: number; ok: false; error: SerializedError }
  /** Integration code failed outside the awaited flow; the worker is not trusted afterwards. */
  | { t: "fault"; runId: number | null; kind: "uncaughtException" | "unhandledRejection"; error: SerializedError }
  /** Integration code called process.exit; the worker thread ends right after. */
  | { t: "exit"; runId: number | null; code: number };

export function serializeError(err: unknown): SerializedError {
  if (typeof err !== "object" || err === null) return { name: "Error", message: `a non-error value was thrown: ${String(err)}` };
  const e = err as Record<string, unknown>;
  const out: SerializedError = {
    name: typeof e.name === "string" ? e.name : "Error",
    message: typeof e.message === "string" ? e.message : String(err),
  };
  if (typeof e.stack === "string") out.stack = e.stack;
  if (typeof e.errorClass === "string") out.errorClass = e.errorClass;
  if (typeof e.status === "number") out.status = e.status;
  if (typeof e.app === "string") out.app = e.app;
  if (typeof e.retryAfterMs === "number") out.retryAfterMs = e.retryAfterMs;
  return out;
}

/**
 * The error again, as this side's SDK class when it has one (so `instanceof RateLimitedError`
 * holds in integration code, and the engine reads the same fields either way).
 */
export function reviveError(s: SerializedError): Error {
  const opts = { ...(s.status !== undefined ? { status: s.status } : {}), ...(s.app !== undefined ? { app: s.app } : {}) };
  let err: Error;
  switch (s.errorClass) {
    case "AUTH":
      err = new AuthError(s.message, opts);
      break;
    case "RATE_LIMITED":
      err = new RateLimitedError(s.message, s.retryAfterMs !== undefined ? { ...opts, retryAfterMs: s.retryAfterMs } : opts);
      break;
    case "REMOTE_UNAVAILABLE":
      err = new RemoteUnavailableError(s.message, opts);
      break;
    case "INVALID_DATA":
      err = new InvalidDataError(s.message, opts);
      break;
    case "CONFIG":
      err = new ConfigError(s.message, opts);
      break;
    default:
      err = Object.assign(new Error(s.message), {
        ...(s.errorClass !== undefined ? { errorClass: s.errorClass } : {}),
        ...opts,
        ...(s.retryAfterMs !== undefined ? { retryAfterMs: s.retryAfterMs } : {}),
      });
  }
  err.name = s.name;
  if (s.stack !== undefined) err.stack = s.stack;
  return err;
}
