import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";

export type ErrorCode =
  | "BAD_INPUT"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "RATE_LIMITED"
  | "UNAVAILABLE"
  /** A remote app we called on the caller's behalf failed (e.g. loading a config field's options). */
  | "REMOTE_ERROR"
  | "INTERNAL";

/** The one error type services throw; translated to HTTP/tRPC at the edges. */
export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

// A new code fails to compile until it is placed here.
export const ERROR_HTTP: Record<ErrorCode, { trpc: TRPC_ERROR_CODE_KEY; status: number }> = {
  BAD_INPUT: { trpc: "BAD_REQUEST", status: 400 },
  UNAUTHENTICATED: { trpc: "UNAUTHORIZED", status: 401 },
  FORBIDDEN: { trpc: "FORBIDDEN", status: 403 },
  NOT_FOUND: { trpc: "NOT_FOUND", status: 404 },
  CONFLICT: { trpc: "CONFLICT", status: 409 },
  PAYLOAD_TOO_LARGE: { trpc: "PAYLOAD_TOO_LARGE", status: 413 },
  RATE_LIMITED: { trpc: "TOO_MANY_REQUESTS", status: 429 },
  UNAVAILABLE: { trpc: "SERVICE_UNAVAILABLE", status: 503 },
  REMOTE_ERROR: { trpc: "BAD_GATEWAY", status: 502 },
  INTERNAL: { trpc: "INTERNAL_SERVER_ERROR", status: 500 },
};

export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found`);
