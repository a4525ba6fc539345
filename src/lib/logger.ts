import pino, { type Logger } from "pino";

// Credentials never reach a log line: these paths are censored wherever they appear.
export const REDACT_PATHS = [
  "password",
  "*.password",
  "secret",
  "*.secret",
  "token",
  "*.token",
  "apiKey",
  "*.apiKey",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "headers.cookie",
  "*.headers.cookie",
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
];

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { service: name } });
}

export type { Logger };
