// Errors an integration throws (or ctx.http throws for it). The class decides what the engine
// does next: retry, fail, ask the customer to reconnect. Anything else thrown is a BUG.
// The engine reads `errorClass` rather than using instanceof, so a bundle that was built
// against another copy of the SDK is still classified correctly.

export type ErrorClass =
  | "AUTH"
  | "RATE_LIMITED"
  | "REMOTE_UNAVAILABLE"
  | "INVALID_DATA"
  | "CONFIG"
  | "BUG"
  | "TIMEOUT"
  | "CANCELLED";

export interface PorticoErrorOptions {
  cause?: unknown;
  /** HTTP status of the remote answer, when the error came from one. */
  status?: number;
  /** The app (connector key) that failed, for the customer's message. */
  app?: string;
}

export abstract class PorticoError extends Error {
  abstract readonly errorClass: ErrorClass;
  readonly status?: number;
  readonly app?: string;

  constructor(message: string, options: PorticoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.status !== undefined) this.status = options.status;
    if (options.app !== undefined) this.app = options.app;
  }
}

/** The remote refused our credentials (401/403): the customer must reconnect. Not retried. */
export class AuthError extends PorticoError {
  override name = "AuthError";
  readonly errorClass = "AUTH" as const;
}

/** The remote asked us to slow down (429). Retried, after `retryAfterMs` when known. */
export class RateLimitedError extends PorticoError {
  override name = "RateLimitedError";
  readonly errorClass = "RATE_LIMITED" as const;
  readonly retryAfterMs?: number;
  constructor(message: string, options: PorticoErrorOptions & { retryAfterMs?: number } = {}) {
    super(message, options);
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** The remote is down, answered 5xx, timed out or the network failed. Retried. */
export class RemoteUnavailableError extends PorticoError {
  override name = "RemoteUnavailableError";
  readonly errorClass = "REMOTE_UNAVAILABLE" as const;
}

/** The data cannot be processed as is (bad payload, remote rejected it with 4xx). Not retried. */
export class InvalidDataError extends PorticoError {
  override name = "InvalidDataError";
  readonly errorClass = "INVALID_DATA" as const;
}

/** The instance's settings are wrong (e.g. an unknown warehouse). Not retried. */
export class ConfigError extends PorticoError {
  override name = "ConfigError";
  readonly errorClass = "CONFIG" as const;
}
