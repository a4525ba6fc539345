import type { ErrorClass } from "@/sdk";

// Every run failure lands in one closed class; the class decides retry and the words the
// customer sees. Read by property, not instanceof: see src/sdk/errors.ts.

const CLASSES: readonly ErrorClass[] = ["AUTH", "RATE_LIMITED", "REMOTE_UNAVAILABLE", "INVALID_DATA", "CONFIG", "BUG", "TIMEOUT", "CANCELLED"];

export interface ClassifiedError {
  errorClass: ErrorClass;
  /** Technical, for support: what failed, with the error's name. */
  message: string;
  retryAfterMs?: number;
  app?: string;
  /** The message was written by the integration's builder for people (InvalidDataError/ConfigError thrown in a flow). */
  builderWords: boolean;
  status?: number;
}

const MAX_MESSAGE = 2_000;

export class RunTimeoutError extends Error {
  override name = "RunTimeoutError";
  readonly errorClass = "TIMEOUT" as const;
}

/**
 * This attempt no longer owns its run: it lost its BullMQ lock (e.g. a CPU-starved executor) and
 * the run was handed to another attempt, which claimed the row. Nothing more of this attempt is
 * written — not its steps, not its status — and it stops without counting as a failure.
 */
export class RunTakenOverError extends Error {
  override name = "RunTakenOverError";
}

/** By name as well: the error crosses the sandbox thread boundary as a plain Error. */
export function isRunTakenOver(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { name?: unknown }).name === "RunTakenOverError";
}

export function classifyError(err: unknown): ClassifiedError {
  const e = (typeof err === "object" && err !== null ? err : {}) as {
    errorClass?: unknown;
    name?: unknown;
    message?: unknown;
    retryAfterMs?: unknown;
    app?: unknown;
    status?: unknown;
  };
  const declared = typeof e.errorClass === "string" && (CLASSES as string[]).includes(e.errorClass) ? (e.errorClass as ErrorClass) : null;
  const errorClass = declared ?? "BUG";
  const name = typeof e.name === "string" ? e.name : "Error";
  const text = typeof e.message === "string" ? e.message : String(err);
  const message = `${name}: ${text}`.slice(0, MAX_MESSAGE);
  return {
    errorClass,
    message,
    ...(typeof e.retryAfterMs === "number" ? { retryAfterMs: e.retryAfterMs } : {}),
    ...(typeof e.app === "string" ? { app: e.app } : {}),
    ...(typeof e.status === "number" ? { status: e.status } : {}),
    // A remote's 4xx body is not for customers; the builder's own InvalidDataError/ConfigError is.
    builderWords: declared !== null && (errorClass === "INVALID_DATA" || errorClass === "CONFIG") && typeof e.status !== "number",
  };
}

/** Whether another attempt can help. Exhaustive: a new class fails to compile until placed. */
export function isRetryable(errorClass: ErrorClass): boolean {
  switch (errorClass) {
    case "RATE_LIMITED":
    case "REMOTE_UNAVAILABLE":
    case "TIMEOUT":
      return true;
    case "AUTH": // needs the customer to reconnect
    case "INVALID_DATA": // the same data fails the same way
    case "CONFIG": // the same settings fail the same way
    case "BUG": // needs a new version of the integration
    case "CANCELLED":
      return false;
  }
}

/**
 * Plain words for the customer (embed) and the run summary: what happened, what to do.
 * `appNames` maps app keys to display names (App.name).
 */
export function customerMessage(
  c: ClassifiedError,
  opts: { attempts: number; final: boolean; appNames?: Record<string, string> },
): string {
  const tries = opts.attempts === 1 ? "once" : `${opts.attempts} times`;
  const app = c.app ? (opts.appNames?.[c.app] ?? c.app) : "the connected app";
  switch (c.errorClass) {
    case "AUTH":
      return `${capital(app)} refused the connection's credentials. Reconnect your account, then retry the run.`;
    case "RATE_LIMITED":
      return opts.final
        ? `${capital(app)} kept asking us to slow down; we tried ${tries}. Retry the run later.`
        : `${capital(app)} asked us to slow down. We will try again shortly; nothing to do.`;
    case "REMOTE_UNAVAILABLE":
      return opts.final
        ? `${capital(app)} was not reachable or answered with an error; we tried ${tries}. Once it is back, retry the run.`
        : `${capital(app)} was not reachable. We will try again shortly; nothing to do.`;
    case "TIMEOUT":
      return opts.final ? `The run took too long and was stopped; we tried ${tries}. Retry it later.` : `The run took too long. We will try again shortly.`;
    case "INVALID_DATA":
      return c.builderWords
        ? `The data could not be processed: ${stripName(c.message)}`
        : `${capital(app)} rejected the data we sent. Check the record it is about, then retry the run.`;
    case "CONFIG":
      return c.builderWords
        ? `The integration's settings need attention: ${stripName(c.message)}`
        : `The integration's settings need attention. Review them, then retry the run.`;
    case "BUG":
      return "Something went wrong inside the integration. The team that builds it has the details; nothing to do on your side.";
    case "CANCELLED":
      return "The run was cancelled.";
  }
}

function capital(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

function stripName(message: string): string {
  return message.replace(/^[A-Za-z]*Error: /, "");
}
