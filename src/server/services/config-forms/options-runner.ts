import path from "node:path";
import { Worker } from "node:worker_threads";
import { build } from "esbuild";
import type { Dispatcher } from "undici";
import { createAddressPolicy, parseAllowlist, type AddressPolicy } from "@/engine/http/address-policy";
import { createHttpClient, type ConnectionRuntime } from "@/engine/http/http-client";
import { createOutboundAgent } from "@/engine/http/outbound-agent";
import { reviveError, serializeError } from "@/engine/sandbox/protocol";
import { env } from "@/lib/env";
import type { Logger } from "@/lib/logger";
import type { AuthKind } from "@/sdk";
import type { HostToWorker, WorkerToHost } from "./options-protocol";

// Options loaders are builder code run on behalf of a web request, so they run in worker threads
// of the web process (not in the request's own thread): a loader that loops, leaks memory, calls
// process.exit or throws from a timer fails its own request and never the web process. A time
// limit terminates the thread. The executor's sandbox works the same way for flows; this one is
// smaller because a loader only needs HTTP and a log. HTTP stays here, in the host: credentials
// and the SSRF policy never enter the thread.

export const OPTIONS_TIMEOUT_MS = 10_000;
const MAX_THREADS = 2;
const MEMORY_MB = 128;

/** A loader's failure as classified by its error (AUTH, REMOTE_UNAVAILABLE, TIMEOUT, BUG...). */
export class OptionsLoadError extends Error {
  constructor(
    readonly errorClass: string,
    message: string,
    readonly app?: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "OptionsLoadError";
  }
}

export interface OptionsRunRequest {
  bundle: { sha256: string; code(): Promise<string> };
  field: string;
  config: Record<string, unknown>;
  /** Every declared connection's handle; `runtimes` only those bound for this call. */
  handles: Record<string, { key: string; app: string; auth: AuthKind }>;
  runtimes: Record<string, ConnectionRuntime>;
  timeoutMs?: number;
  logger: Logger;
  /** Outbound pool and address policy (default: one per process, OUTBOUND_ALLOWLIST). */
  outbound?: { dispatcher: Dispatcher; policy: AddressPolicy };
}

let processOutbound: { dispatcher: Dispatcher; policy: AddressPolicy } | undefined;
function defaultOutbound() {
  if (!processOutbound) {
    const policy = createAddressPolicy(parseAllowlist(env.OUTBOUND_ALLOWLIST));
    processOutbound = { policy, dispatcher: createOutboundAgent({ policy }) };
  }
  return processOutbound;
}

let script: Promise<string> | undefined;
/** The worker's code: options-worker-entry.ts bundled once per process (same approach as the sandbox). */
function workerScript(): Promise<string> {
  // process.cwd(), not __dirname: inside Next's server bundle __dirname is not the source folder.
  const entry = path.join(process.cwd(), "src/server/services/config-forms/options-worker-entry.ts");
  script ??= build({ entryPoints: [entry], bundle: true, write: false, platform: "node", format: "cjs", target: "node20", logLevel: "silent", minify: true, keepNames: true })
    .then((r) => {
      const code = r.outputFiles[0]?.text;
      if (!code) throw new Error("esbuild produced no options worker script");
      return code;
    })
    .catch((err: unknown) => {
      script = undefined;
      throw err;
    });
  return script;
}

let callCounter = 0;

class OptionsThread {
  readonly worker: Worker;
  dead = false;
  private active: { callId: number; onMessage(m: WorkerToHost): void; onDeath(err: Error): void } | null = null;
  private crash: (Error & { code?: string }) | null = null;

  constructor(code: string, private readonly gone: (t: OptionsThread) => void) {
    this.worker = new Worker(code, { eval: true, resourceLimits: { maxOldGenerationSizeMb: MEMORY_MB } });
    this.worker.unref();
    this.worker.on("message", (m: WorkerToHost) => {
      if (m.t === "fault" && (!this.active || m.callId !== this.active.callId)) return void this.retire();
      if (this.active && "callId" in m && m.callId === this.active.callId) this.active.onMessage(m);
    });
    this.worker.on("error", (err: Error & { code?: string }) => {
      this.crash = err;
    });
    this.worker.on("exit", (exitCode) => {
      const was = this.dead;
      this.dead = true;
      const why =
        this.crash?.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? `the options loader exceeded the memory ceiling of ${MEMORY_MB} MB and was stopped`
          : `the options loader stopped its worker (exit code ${exitCode}${this.crash ? `: ${this.crash.message}` : ""})`;
      this.active?.onDeath(new OptionsLoadError("BUG", why));
      if (!was) this.gone(this);
    });
  }

  retire(): void {
    if (this.dead) return;
    this.dead = true;
    this.gone(this);
    void this.worker.terminate().catch(() => undefined);
  }

  run(req: OptionsRunRequest, outbound: { dispatcher: Dispatcher; policy: AddressPolicy }): Promise<unknown> {
    const callId = ++callCounter;
    const timeoutMs = req.timeoutMs ?? OPTIONS_TIMEOUT_MS;
    const send = (m: HostToWorker) => {
      if (!this.dead) this.worker.postMessage(m);
    };
    const clients = new Map<string, ReturnType<typeof createHttpClient>>();
    const client = (key: string) => {
      const runtime = req.runtimes[key];
      if (!runtime) {
        const app = req.handles[key]?.app;
        throw Object.assign(new Error(`the "${key}" connection is not connected yet: connect it first`), { errorClass: "CONFIG", ...(app ? { app } : {}) });
      }
      let c = clients.get(key);
      if (!c) {
        c = createHttpClient(runtime, { ...outbound, record: () => undefined, currentStep: () => null });
        clients.set(key, c);
      }
      return c;
    };

    return new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const finish = (outcome: { error: Error } | { value: unknown }, retire = false) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.active = null;
        if (retire) this.retire();
        if ("error" in outcome) reject(outcome.error);
        else resolve(outcome.value);
      };
      const timer = setTimeout(
        () => finish({ error: new OptionsLoadError("TIMEOUT", `the options loader did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped`) }, true),
        timeoutMs,
      );
      const reply = (id: number, work: () => Promise<unknown>) => {
        Promise.resolve()
          .then(work)
          .then(
            (value) => !settled && send({ t: "reply", callId, id, ok: true, value }),
            (err: unknown) => !settled && send({ t: "reply", callId, id, ok: false, error: serializeError(err) }),
          );
      };
      const onMessage = (m: WorkerToHost) => {
        switch (m.t) {
          case "call":
            if (m.op === "bundle") return reply(m.id, () => req.bundle.code());
            return reply(m.id, async () => {
              const res = await client(m.connection)[m.method](m.path, m.options);
              return { status: res.status, headers: res.headers, text: res.text() };
            });
          case "log":
            req.logger[m.level]({ field: req.field, data: m.data }, `options loader: ${m.message}`);
            return;
          case "done":
            return m.ok ? finish({ value: m.value }) : finish({ error: reviveError(m.error) });
          case "fault":
            return finish({ error: new OptionsLoadError("BUG", `the options loader failed outside its awaited code: ${m.error.name}: ${m.error.message}`) }, true);
        }
      };
      this.active = { callId, onMessage, onDeath: (error) => finish({ error }) };
      try {
        send({ t: "load", callId, sha256: req.bundle.sha256, field: req.field, config: req.config, connections: req.handles });
      } catch (err) {
        finish({ error: err as Error });
      }
    });
  }
}

const threads = new Set<OptionsThread>();
let idle: OptionsThread[] = [];
const waiters: (() => void)[] = [];
let starting = 0;

function gone(t: OptionsThread) {
  threads.delete(t);
  idle = idle.filter((x) => x !== t);
  waiters.shift()?.();
}

async function acquire(): Promise<OptionsThread> {
  for (;;) {
    const t = idle.pop();
    if (t) {
      if (!t.dead) return t;
      continue;
    }
    if (threads.size + starting < MAX_THREADS) {
      starting++;
      try {
        const thread = new OptionsThread(await workerScript(), gone);
        threads.add(thread);
        return thread;
      } finally {
        starting--;
      }
    }
    await new Promise<void>((resolve) => waiters.push(resolve));
  }
}

/** Runs one field's options loader in a worker thread; rejects with the loader's (classified) error. */
export async function runOptionsLoader(req: OptionsRunRequest): Promise<unknown> {
  const thread = await acquire();
  try {
    return await thread.run(req, req.outbound ?? defaultOutbound());
  } finally {
    if (!thread.dead) idle.push(thread);
    waiters.shift()?.();
  }
}

/** Ends every options thread (tests). */
export async function closeOptionsThreads(): Promise<void> {
  for (const t of [...threads]) t.retire();
}
