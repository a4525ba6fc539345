import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

// Every environment variable Portico reads is declared here, and nothing else reads
// process.env. An empty string counts as unset. Parsing happens once, on first use, so that
// `next build` (which imports server modules) does not need a database URL.

const Env = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// URL"),
  // Namespaces every BullMQ queue and Redis key, so that tests (and several Porticos) can share a server.
  REDIS_PREFIX: z.string().min(1).default("portico"),
  PORTICO_MASTER_KEY: z.base64().refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64").optional(),
  // Comma-separated master keys that older data keys may still be wrapped with (during rotation).
  PORTICO_PREVIOUS_MASTER_KEYS: z.string().default(""),
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_NAME: z.string().default("Single sign-on"),
  EXECUTOR_CONCURRENCY: z.coerce.number().int().min(1).default(8),
  // V8 heap ceiling of each sandbox thread (one run at a time each): a run allocating past it fails alone.
  EXECUTOR_MEMORY_MB: z.coerce.number().int().min(16).default(256),
  // BullMQ lock of a running job: an executor that dies (kill -9) hands its jobs back after this.
  EXECUTOR_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  // How often executors look for jobs whose lock expired (stalled jobs).
  EXECUTOR_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  // SIGTERM: how long running attempts may take to finish before the executor leaves anyway.
  EXECUTOR_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  // Reconciler (re-queues ledger rows without a live job): pass period and how old a row must be.
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(15_000),
  RECONCILE_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  // Hosts (exact names or IPs) that outbound calls may reach although they are private/loopback (SSRF policy).
  OUTBOUND_ALLOWLIST: z.string().default(""),
  WEBHOOK_MAX_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PORTICO_DATA_DIR: z.string().default(".portico"),
  // Where executors keep integration bundles by sha256 (default <PORTICO_DATA_DIR>/bundles); "off": memory only.
  BUNDLE_CACHE_DIR: z.string().optional(),
  // Fault hook for the reliability test C6 only (src/engine/reliability/crash-after-commit…): the
  // ingest front exits after its n-th committed batch, before queueing it. Never set it elsewhere.
  PORTICO_FAULT_EXIT_AFTER_COMMIT: z.coerce.number().int().min(1).optional(),
});

export type Env = z.infer<typeof Env> & { PORTICO_MASTER_KEY: string; NEXTAUTH_SECRET: string; PUBLIC_URL: string };

export class EnvError extends Error {
  override name = "EnvError";
}

function readRaw(): Record<string, string | undefined> {
  const raw: Record<string, string | undefined> = {};
  for (const key of Object.keys(Env.shape)) {
    const value = process.env[key];
    raw[key] = value === "" ? undefined : value;
  }
  return raw;
}

/** Dev-only: a secret generated once and kept under the data folder, with a loud warning. */
export function devSecret(dataDir: string, file: string, variable: string, bytes = 32): string {
  const full = path.resolve(dataDir, file);
  if (existsSync(full)) return readFileSync(full, "utf8").trim();
  mkdirSync(path.dirname(full), { recursive: true });
  const value = randomBytes(bytes).toString("base64");
  writeFileSync(full, value + "\n", { mode: 0o600 });
  console.warn(
    `\n!!! ${variable} is not set: generated one into ${full} for development.\n` +
      `!!! Anything encrypted with it is lost if that file is lost. Set ${variable} in production.\n`,
  );
  return value;
}

export function parseEnv(source: Record<string, string | undefined> = readRaw()): Env {
  const result = Env.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  const e = result.data;
  if (e.NODE_ENV === "production" && !e.PORTICO_MASTER_KEY) {
    throw new EnvError("Invalid environment:\n  PORTICO_MASTER_KEY: required in production (32 bytes, base64)");
  }
  if (e.NODE_ENV === "production" && !e.NEXTAUTH_SECRET && !process.env.PORTICO_ALLOW_DEV_SECRETS) {
    throw new EnvError("Invalid environment:\n  NEXTAUTH_SECRET: required in production");
  }
  const masterKey = e.PORTICO_MASTER_KEY ?? devSecret(e.PORTICO_DATA_DIR, "master.key", "PORTICO_MASTER_KEY", 32);
  const authSecret = e.NEXTAUTH_SECRET ?? devSecret(e.PORTICO_DATA_DIR, "nextauth.secret", "NEXTAUTH_SECRET", 32);
  return {
    ...e,
    PORTICO_MASTER_KEY: masterKey,
    NEXTAUTH_SECRET: authSecret,
    PUBLIC_URL: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
  };
}

/**
 * PORTICO_FAULT_EXIT_AFTER_COMMIT alone: the ingest hot path reads it without parsing (and
 * requiring) the whole environment, which its benchmark does not set.
 */
export function faultExitAfterCommit(): number | undefined {
  return Env.shape.PORTICO_FAULT_EXIT_AFTER_COMMIT.parse(readRaw().PORTICO_FAULT_EXIT_AFTER_COMMIT);
}

let cached: Env | undefined;

/** The parsed environment; throws an EnvError naming every bad variable. */
export function getEnv(): Env {
  cached ??= parseEnv();
  return cached;
}

/** For tests that change process.env between cases. */
export function resetEnvForTests() {
  cached = undefined;
}

export const env: Env = new Proxy({} as Env, {
  get: (_target, prop) => getEnv()[prop as keyof Env],
});
