// Harness for the failure tests (../shared/reliability-plan.md §3.2–3.4): real processes — the
// ingest front (front-main.ts) and executors (workers/executor.ts) as child processes — against
// a real Postgres, Redis and the sandbox ERP, a load generator that keeps a ledger of every 202,
// and the two checks every scenario ends with: every 202'd id reaches a terminal state, and
// every order's sales order was applied exactly once at the ERP (counted by the sandbox).
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { startSandbox, type RunningSandbox } from "../../../sandbox/server";
import { sandboxAdmin, type SandboxAdmin } from "../../../sandbox/admin-client";
import type { Db } from "@/lib/db";

const ROOT = path.resolve(__dirname, "../../..");
const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Test timing config (reliability-plan §3.0): lock 8 s (a loaded 2-core box must not lose live locks), stalled check 2 s. */
export const TEST_TIMING = {
  EXECUTOR_LOCK_MS: "8000",
  EXECUTOR_STALLED_INTERVAL_MS: "2000",
  RECONCILE_INTERVAL_MS: "1000",
  RECONCILE_GRACE_MS: "3000",
} as const;

export interface StackEnv {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
}

// ---------------------------------------------------------------------------------------------
// Child processes

export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  /** stdout+stderr lines, newest last (bounded). */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** Resolves with the first line matching, or throws after `ms` naming what was awaited. */
  waitForLine(re: RegExp, ms: number, what: string): Promise<string>;
  tail(n?: number): string;
}

/** Every process a test started, so the test can always leave nothing running. */
export class Procs {
  readonly all: Proc[] = [];

  spawn(name: string, script: string, env: Record<string, string>): Proc {
    // `node --import tsx` (not the tsx CLI, which forks a second node): the pid we signal is
    // the process that runs the code, so kill -9 really kills the worker.
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    const waiters = new Set<{ re: RegExp; resolve: (line: string) => void }>();
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line.trim()) continue;
        lines.push(line);
        if (process.env.RELIABILITY_DEBUG) process.stderr.write(`[${name}] ${line.slice(0, 400)}\n`);
        if (lines.length > 20_000) lines.shift();
        for (const w of waiters) if (w.re.test(line)) (waiters.delete(w), w.resolve(line));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    const proc: Proc = {
      name,
      pid: child.pid!,
      child,
      lines,
      exited,
      alive: () => child.exitCode === null && child.signalCode === null,
      tail: (n = 30) => lines.slice(-n).join("\n"),
      waitForLine(re, ms, what) {
        const seen = lines.find((l) => re.test(l));
        if (seen) return Promise.resolve(seen);
        return new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => {
            waiters.delete(w);
            reject(new Error(`${name}: no ${what} within ${ms} ms. Last output:\n${proc.tail()}`));
          }, ms);
          const w = { re, resolve: (line: string) => (clearTimeout(timer), resolve(line)) };
          waiters.add(w);
          void exited.then(({ code, signal }) => {
            if (!waiters.delete(w)) return;
            clearTimeout(timer);
            reject(new Error(`${name} exited (${code ?? signal}) before ${what}. Last output:\n${proc.tail()}`));
          });
        });
      },
    };
    this.all.push(proc);
    return proc;
  }

  /** Ends every process still running (SIGTERM, then SIGKILL), by pid, and forgets them all (ready for the next test). */
  async stopAll(): Promise<void> {
    await Promise.all(
      this.all.splice(0).map(async (p) => {
        if (!p.alive()) return;
        p.child.kill("SIGTERM");
        const t = setTimeout(() => p.child.kill("SIGKILL"), 5_000);
        await p.exited;
        clearTimeout(t);
      }),
    );
  }

  /** The last lines of every process's output, for a failing check's message. */
  tails(lines = 15): string {
    return this.all.map((p) => `--- ${p.name}\n${p.tail(lines)}`).join("\n");
  }
}

function baseEnv(s: StackEnv, logLevel: string): Record<string, string> {
  return {
    DATABASE_URL: s.databaseUrl,
    REDIS_URL: s.redisUrl,
    REDIS_PREFIX: s.redisPrefix,
    LOG_LEVEL: logLevel,
    NODE_ENV: "test",
    OUTBOUND_ALLOWLIST: "127.0.0.1,localhost",
  };
}

export async function startFrontProcess(procs: Procs, s: StackEnv, o: { env?: Record<string, string> } = {}): Promise<{ url: string; proc: Proc }> {
  const proc = procs.spawn("front", "src/engine/reliability/front-main.ts", { ...baseEnv(s, "error"), ...o.env });
  const line = await proc.waitForLine(/^FRONT_LISTENING \d+/, 60_000, "FRONT_LISTENING line");
  return { url: `http://127.0.0.1:${line.split(" ")[1]}`, proc };
}

export async function startExecutorProcess(
  procs: Procs,
  s: StackEnv,
  o: { name: string; concurrency?: number; logLevel?: "info" | "debug"; env?: Record<string, string> },
): Promise<Proc> {
  const proc = procs.spawn(o.name, "workers/executor.ts", {
    ...baseEnv(s, o.logLevel ?? "info"),
    ...TEST_TIMING,
    EXECUTOR_CONCURRENCY: String(o.concurrency ?? 10),
    ...o.env,
  });
  await proc.waitForLine(/executor started/, 60_000, "'executor started'");
  return proc;
}

export function kill9(proc: Proc): Promise<unknown> {
  proc.child.kill("SIGKILL");
  return proc.exited;
}

// ---------------------------------------------------------------------------------------------
// Sandbox

export async function startErpSandbox(): Promise<{ sandbox: RunningSandbox; admin: SandboxAdmin }> {
  const sandbox = await startSandbox({ port: 0 });
  const admin = sandboxAdmin(sandbox.url);
  // The ERP's own rate limit is not under test here; 429s would only slow the load down.
  await admin.configure({ erp: { rateLimit: { enabled: false } } });
  return { sandbox, admin };
}

// ---------------------------------------------------------------------------------------------
// Load with a ledger

export const orderNumber = (i: number) => `SO-${i}`;
export const orderBody = (i: number) =>
  JSON.stringify({ id: String(i), number: orderNumber(i), currency: "EUR", lines: [{ sku: "A-1", qty: 1, price: 1 }] });

export interface Ledger {
  /** Idempotency-Key of the webhook → the executionId its first 202 returned. */
  accepted: Map<string, string>;
  /** Answers other than 202, by status ("network" for a refused/reset connection). */
  refusals: Map<string, number>;
  /** A retried key that got a different executionId: a duplicated run. */
  conflicts: string[];
}

export function newLedger(): Ledger {
  return { accepted: new Map(), refusals: new Map(), conflicts: [] };
}

/**
 * Posts orders `from`..`to-1` at `concurrency`, each with Idempotency-Key `order-<i>`. A 503 or
 * a failed connection is retried with the same key (what a well-behaved sender does) until
 * `retryForMs` has passed; a 202 is recorded in the ledger. Never throws for refusals.
 */
export async function postOrders(o: {
  frontUrl: () => string;
  token: string;
  from: number;
  to: number;
  concurrency: number;
  ledger: Ledger;
  retryForMs?: number;
  /** Called for every attempt's answer ("network": refused/reset), with when it was sent and answered (ms). */
  onAnswer?: (a: { key: string; status: number | "network"; sentAt: number; answeredAt: number }) => void;
}): Promise<void> {
  let next = o.from;
  const refuse = (why: string) => o.ledger.refusals.set(why, (o.ledger.refusals.get(why) ?? 0) + 1);
  async function one(i: number) {
    const key = `order-${i}`;
    const until = Date.now() + (o.retryForMs ?? 90_000);
    for (;;) {
      const sentAt = Date.now();
      try {
        const res = await fetch(`${o.frontUrl()}/api/hooks/${o.token}`, {
          method: "POST",
          headers: { "content-type": "application/json", "idempotency-key": key },
          body: orderBody(i),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        o.onAnswer?.({ key, status: res.status, sentAt, answeredAt: Date.now() });
        if (res.status === 202) {
          const id = (JSON.parse(text) as { executionId: string }).executionId;
          const first = o.ledger.accepted.get(key);
          if (first && first !== id) o.ledger.conflicts.push(`${key}: ${first} then ${id}`);
          if (!first) o.ledger.accepted.set(key, id);
          return;
        }
        refuse(String(res.status));
        if (res.status !== 503) throw new Error(`webhook ${key} answered ${res.status}: ${text}`);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith("webhook ")) throw err;
        o.onAnswer?.({ key, status: "network", sentAt, answeredAt: Date.now() });
        refuse("network");
      }
      if (Date.now() > until) throw new Error(`webhook ${key} was never accepted within ${o.retryForMs ?? 90_000} ms`);
      await sleep(250);
    }
  }
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next < o.to) await one(next++);
    }),
  );
}

/** Waits until `count` runs of the ledger are SUCCEEDED (a progress point to inject a fault at). */
export async function waitForSucceeded(db: Db, count: number, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const n = await db.execution.count({ where: { status: "SUCCEEDED" } }).catch(() => -1);
    if (n >= count) return;
    if (Date.now() > until) throw new Error(`${what}: only ${n} runs SUCCEEDED after ${ms} ms (wanted ${count})`);
    await sleep(200);
  }
}

/**
 * The ledger check: every 202'd id reaches a terminal state within `settleMs` (else the error
 * lists the stragglers and their status), there is exactly one run per accepted key, and every
 * run SUCCEEDED. Postgres may still be recovering: query errors are retried until the deadline.
 */
export async function expectLedgerSettled(db: Db, ledger: Ledger, settleMs: number, diagnostics: () => string = () => "") {
  if (ledger.conflicts.length) throw new Error(`duplicated runs for the same key: ${ledger.conflicts.join("; ")}`);
  const ids = [...ledger.accepted.values()];
  const until = Date.now() + settleMs;
  let rows: { id: string; status: string; errorClass: string | null; errorMessage: string | null }[] = [];
  for (;;) {
    try {
      rows = await db.execution.findMany({ select: { id: true, status: true, errorClass: true, errorMessage: true } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      const pending = ids.filter((id) => !TERMINAL.has(byId.get(id)?.status ?? "MISSING"));
      if (pending.length === 0) break;
      if (Date.now() > until) {
        const sample = pending.slice(0, 10).map((id) => `${id}=${byId.get(id)?.status ?? "MISSING"}`);
        throw new Error(`LOST: ${pending.length}/${ids.length} accepted runs not terminal after ${settleMs} ms: ${sample.join(", ")}\n${diagnostics()}`);
      }
    } catch (err) {
      if (err instanceof Error && err.message.startsWith("LOST")) throw err;
      if (Date.now() > until) throw err;
    }
    await sleep(250);
  }
  const failed = rows.filter((r) => r.status !== "SUCCEEDED");
  if (failed.length)
    throw new Error(`${failed.length} runs did not succeed: ${failed.slice(0, 5).map((r) => `${r.id}=${r.status} ${r.errorClass}: ${r.errorMessage}`).join("; ")}\n${diagnostics()}`);
  if (rows.length !== ids.length) throw new Error(`${rows.length} runs in the ledger for ${ids.length} accepted webhooks`);
}

/** Effects at the ERP: every accepted order applied exactly once (byExternalId), nothing else. */
export async function expectEffectsOnce(admin: SandboxAdmin, ledger: Ledger) {
  const effects = await admin.effects();
  const expected = [...ledger.accepted.keys()].map((key) => orderNumber(Number(key.slice("order-".length))));
  const missing = expected.filter((n) => (effects.byExternalId[n] ?? 0) === 0);
  const duplicated = Object.entries(effects.byExternalId).filter(([, n]) => n > 1);
  const replays = Object.values(effects.replaysByIdempotencyKey).reduce((a, b) => a + b, 0);
  return { effects, missing, duplicated, replays, total: effects.total, expected: expected.length };
}
