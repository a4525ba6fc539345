import { Worker } from "node:worker_threads";
import type { Logger } from "@/lib/logger";
import { RunTimeoutError } from "../executor/classify";
import type { FlowRun, StepScope } from "../executor/flow-context";
import { reviveError, serializeError, type HostToWorker, type RunContextData, type WorkerToHost } from "./protocol";
import { sandboxWorkerScript } from "./worker-script";

// Integration code runs in worker threads, one run per thread at a time, so that a runaway or
// crashing integration fails its own run and never the executor or the runs beside it.
// The sandbox is for faults, not a security boundary (DESIGN.md, Execution).
// What stays in the host: step memoization and records, HTTP (credentials, rate limits, the
// address policy), logs, state and the reference, all through the host's FlowContext, which the
// worker reaches by messages (protocol.ts).

export const DEFAULT_SANDBOX_MEMORY_MB = 256;
/** How much longer than the run's limit starting a thread and loading the bundle may take. */
const LOAD_GRACE_MS = 30_000;

export interface SandboxOptions {
  /** Worker threads, i.e. runs at once: the executor's concurrency. */
  size: number;
  /** V8 heap ceiling of each thread (resourceLimits.maxOldGenerationSizeMb). Default 256. */
  memoryMb?: number;
  logger: Logger;
}

export interface SandboxRunRequest {
  /** The host-side context (createFlowContext) the worker's ctx calls are carried out on. */
  ctx: FlowRun["ctx"];
  /** The host context's explicit step scope: the worker says which step each call comes from. */
  inStep: FlowRun["inStep"];
  bundle: { sha256: string; code(): Promise<string> };
  flowKey: string;
  /** Steps earlier attempts completed (the same list the host ctx memoizes from), sent to the worker. */
  completedSteps?: { seq: number; name: string; status: string; output: unknown }[];
  /** Wall time of the attempt; past it the thread is terminated and the run fails as TIMEOUT. */
  timeoutMs: number;
}

/** A fault of integration code that the sandbox contained (process.exit, memory, a stray throw): BUG. */
export class SandboxFault extends Error {
  readonly errorClass = "BUG" as const;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

function attempt<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (err) {
    return Promise.reject(err);
  }
}

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function contextData(ctx: FlowRun["ctx"]): RunContextData {
  let payload: RunContextData["trigger"]["payload"];
  try {
    payload = { ok: true, value: ctx.trigger.payload };
  } catch (err) {
    payload = { ok: false, error: serializeError(err) };
  }
  const connections: RunContextData["connections"] = {};
  for (const [key, h] of Object.entries(ctx.connections)) connections[key] = { key: h.key, app: h.app, auth: h.auth };
  return {
    config: ctx.config,
    connections,
    customer: { id: ctx.customer.id, externalId: ctx.customer.externalId, name: ctx.customer.name },
    execution: { id: ctx.execution.id, attempt: ctx.execution.attempt },
    trigger: {
      type: ctx.trigger.type,
      contentType: ctx.trigger.contentType,
      ...(ctx.trigger.headers ? { headers: ctx.trigger.headers } : {}),
      payload,
    },
  };
}

let runCounter = 0;

/** One worker thread. `gone` is called once, when it died or was retired. */
class SandboxThread {
  readonly worker: Worker;
  dead = false;
  /** A fault of an earlier run surfaced here: finish the current run, then retire the thread. */
  tainted = false;
  private active: { runId: number; onMessage(m: WorkerToHost): void; onDeath(err: Error): void } | null = null;
  private exitCalled: number | null = null;
  /** Bundles this thread has evaluated (cached in the thread): no load time to allow for. */
  private readonly loaded = new Set<string>();
  private crash: (Error & { code?: string }) | null = null;

  constructor(
    code: string,
    private readonly memoryMb: number,
    private readonly logger: Logger,
    private readonly gone: (t: SandboxThread) => void,
  ) {
    this.worker = new Worker(code, { eval: true, resourceLimits: { maxOldGenerationSizeMb: memoryMb } });
    // Idle threads do not keep the process alive; a running attempt holds its own timer.
    this.worker.unref();
    this.worker.on("message", (m: WorkerToHost) => this.onMessage(m));
    this.worker.on("error", (err: Error & { code?: string }) => {
      this.crash = err;
    });
    this.worker.on("exit", (exitCode) => {
      const wasDead = this.dead;
      this.dead = true;
      if (this.active) this.active.onDeath(this.deathError(exitCode));
      else if (!wasDead) this.logger.warn({ exitCode, err: this.crash?.message }, "idle sandbox worker exited");
      if (!wasDead) this.gone(this);
    });
  }

  /** Terminates the thread (whatever it is running) and takes it out of the pool. */
  retire(): Promise<void> {
    if (this.dead) return Promise.resolve();
    this.dead = true;
    this.gone(this);
    return this.worker.terminate().then(
      () => undefined,
      () => undefined,
    );
  }

  private deathError(exitCode: number): Error {
    if (this.crash?.code === "ERR_WORKER_OUT_OF_MEMORY")
      return new SandboxFault("MemoryLimitExceeded", `the run exceeded the memory ceiling of ${this.memoryMb} MB and was stopped`);
    if (this.exitCalled !== null) return new SandboxFault("ProcessExit", `integration code called process.exit(${this.exitCalled})`);
    if (this.crash) return new SandboxFault("SandboxCrashed", `the sandbox worker failed: ${this.crash.message}`);
    return new SandboxFault("SandboxCrashed", `the sandbox worker stopped (exit code ${exitCode}), e.g. integration code called process.exit`);
  }

  private onMessage(m: WorkerToHost) {
    if (m.t === "exit") {
      this.exitCalled = m.code;
      return;
    }
    if (m.t === "fault" && (!this.active || m.runId !== this.active.runId)) {
      // Left behind by an earlier run (a timer that fired later): that run is over, and the
      // current one did nothing wrong. Let it finish, then replace the thread.
      this.logger.warn({ kind: m.kind, err: m.error.message }, "integration code failed after its run ended; retiring the sandbox worker");
      if (this.active) this.tainted = true;
      else void this.retire();
      return;
    }
    if (this.active && m.runId === this.active.runId) this.active.onMessage(m);
  }

  private send(message: HostToWorker) {
    if (!this.dead) this.worker.postMessage(message);
  }

  execute(req: SandboxRunRequest): Promise<unknown> {
    const runId = ++runCounter;
    const { ctx } = req;
    /** The host's step per step call id: the scope the worker names in later calls (log/HTTP attribution, idempotency keys). */
    const scopes = new Map<number, StepScope>();
    const stepBodies = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();

    return new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const finish = (outcome: { error: Error } | { value: unknown }, retire = false) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.active = null;
        // Steps the worker never finished stay pending on the host: the run is over, their
        // context is closed by the caller, and nothing else waits for them.
        stepBodies.clear();
        scopes.clear();
        if (retire) void this.retire();
        if ("error" in outcome) reject(outcome.error);
        else resolve(outcome.value);
      };
      const timeUp = () => finish({ error: new RunTimeoutError(`the run did not finish within ${duration(req.timeoutMs)}`) }, true);
      // A new thread's start and the bundle's first evaluation are ours, not the flow's: the
      // run's clock restarts when the flow starts ("started"), with a bound on loading as well.
      const warm = this.loaded.has(req.bundle.sha256);
      let timer = setTimeout(timeUp, warm ? req.timeoutMs : req.timeoutMs + LOAD_GRACE_MS);

      const inScope = <T>(scope: number | null, f: () => T | Promise<T>): Promise<T> =>
        attempt(() => req.inStep(scope === null ? null : (scopes.get(scope) ?? null), f));
      const reply = (id: number, result: Promise<unknown>) => {
        result.then(
          (value) => {
            if (settled) return;
            try {
              this.send({ t: "reply", runId, id, ok: true, value });
            } catch (err) {
              this.send({ t: "reply", runId, id, ok: false, error: serializeError(err) });
            }
          },
          (err: unknown) => {
            if (!settled) this.send({ t: "reply", runId, id, ok: false, error: serializeError(err) });
          },
        );
      };

      const onMessage = (m: WorkerToHost) => {
        switch (m.t) {
          case "call":
            switch (m.op) {
              case "bundle":
                return reply(m.id, req.bundle.code());
              case "step": {
                const id = m.id;
                // The host's step decides: memoized → its stored output comes back without the
                // body running; otherwise the worker runs the body and the host stores the result.
                // The host's step calls the body with its scope (explicit scoping, flow-context.ts).
                const body = (scope?: StepScope) => {
                  scopes.set(id, scope ?? { name: m.name, seq: 0 });
                  // eager: the worker already runs it (it knows the memo too).
                  if (!m.eager) this.send({ t: "runStep", runId, id });
                  return new Promise<unknown>((res, rej) => stepBodies.set(id, { resolve: res, reject: rej }));
                };
                return reply(id, inScope(m.scope, () => ctx.step(m.name, body)));
              }
              case "http": {
                const handle = ctx.connections[m.connection];
                return reply(
                  m.id,
                  inScope(m.scope, async () => {
                    const res = await ctx.http(handle ?? { key: m.connection, app: "", auth: "none" })[m.method](m.path, m.options);
                    return { status: res.status, headers: res.headers, text: res.text() };
                  }),
                );
              }
              case "stateGet":
                return reply(m.id, inScope(m.scope, () => ctx.state.get(m.key)));
              case "stateSet":
                return reply(m.id, inScope(m.scope, () => ctx.state.set(m.key, m.value)));
            }
            return;
          case "stepMemo":
            // Counted only: the host's step returns its memo without a body.
            inScope(null, () => ctx.step(m.name, () => Promise.reject(new Error("a memoized step does not run")))).catch(() => {});
            return;
          case "note":
            // A closed context (run over) refuses; late notes of a finished run are dropped.
            inScope(m.scope, () => {
              if (m.op === "log") ctx.log[m.level](m.message, m.data as Record<string, unknown> | undefined);
              else ctx.reference(m.id);
            }).catch(() => {});
            return;
          case "stepDone": {
            const waiter = stepBodies.get(m.id);
            if (!waiter) return;
            stepBodies.delete(m.id);
            if (m.ok) waiter.resolve(m.json === undefined ? undefined : JSON.parse(m.json));
            else waiter.reject(reviveError(m.error));
            return;
          }
          case "started":
            this.loaded.add(req.bundle.sha256);
            clearTimeout(timer);
            timer = setTimeout(timeUp, req.timeoutMs);
            return;
          case "done":
            if (m.ok) return finish({ value: m.json === undefined ? undefined : JSON.parse(m.json) });
            return finish({ error: reviveError(m.error) });
          case "fault": {
            const what =
              m.kind === "uncaughtException"
                ? "integration code threw outside the awaited flow (e.g. inside a setTimeout callback)"
                : "integration code left a promise rejection unhandled";
            return finish({ error: new SandboxFault(m.kind === "uncaughtException" ? "UncaughtException" : "UnhandledRejection", `${what}: ${m.error.name}: ${m.error.message}`) }, true);
          }
          case "exit":
            return;
        }
      };

      this.active = { runId, onMessage, onDeath: (err) => finish({ error: err }) };
      try {
        const memo = (req.completedSteps ?? []).filter((s) => s.status === "SUCCEEDED").map((s) => ({ seq: s.seq, name: s.name, output: s.output }));
        this.send({ t: "run", runId, sha256: req.bundle.sha256, flowKey: req.flowKey, ctx: contextData(ctx), memo, ...(warm ? { announce: false } : {}) });
      } catch (err) {
        // The config or payload cannot cross to the worker (DataCloneError).
        finish({ error: err as Error });
      }
    });
  }
}

/**
 * A pool of sandbox worker threads, created lazily up to `size`; a thread that dies or is
 * terminated (time limit, memory ceiling, process.exit, a stray throw) is replaced on demand.
 */
export class SandboxPool {
  readonly size: number;
  readonly memoryMb: number;
  private readonly logger: Logger;
  private readonly threads = new Set<SandboxThread>();
  private idle: SandboxThread[] = [];
  private starting = 0;
  private started = 0;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(o: SandboxOptions) {
    this.size = Math.max(1, o.size);
    this.memoryMb = o.memoryMb ?? DEFAULT_SANDBOX_MEMORY_MB;
    this.logger = o.logger;
  }

  /** Runs one attempt of a flow in a thread; resolves with its result, rejects with its error. */
  async run(req: SandboxRunRequest): Promise<unknown> {
    const thread = await this.acquire();
    try {
      return await thread.execute(req);
    } finally {
      this.release(thread);
    }
  }

  /** For tests and metrics. */
  stats(): { size: number; threads: number; idle: number; started: number } {
    return { size: this.size, threads: this.threads.size, idle: this.idle.length, started: this.started };
  }

  /** Terminates every thread; runs still going fail as crashed. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.threads];
    this.idle = [];
    await Promise.all(all.map((t) => t.retire()));
    for (const w of this.waiters.splice(0)) w();
  }

  private async acquire(): Promise<SandboxThread> {
    for (;;) {
      if (this.closed) throw new Error("the sandbox pool is closed");
      const idle = this.idle.pop();
      if (idle) {
        if (!idle.dead) return idle;
        continue;
      }
      if (this.threads.size + this.starting < this.size) return this.spawn();
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private async spawn(): Promise<SandboxThread> {
    this.starting++;
    try {
      const code = await sandboxWorkerScript();
      const thread = new SandboxThread(code, this.memoryMb, this.logger, (t) => this.gone(t));
      this.threads.add(thread);
      this.started++;
      return thread;
    } finally {
      this.starting--;
    }
  }

  private release(thread: SandboxThread) {
    if (thread.tainted) void thread.retire();
    if (!thread.dead && !this.closed) this.idle.push(thread);
    this.waiters.shift()?.();
  }

  private gone(thread: SandboxThread) {
    this.threads.delete(thread);
    this.idle = this.idle.filter((t) => t !== thread);
    this.waiters.shift()?.();
  }
}
