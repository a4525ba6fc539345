// The sandbox worker thread: evaluates bundles (cached per thread by sha256) and runs one flow
// at a time. Every ctx method that needs the host (durable steps, HTTP with credentials, logs,
// state, the reference) is a message to the host; only integration code runs here.
// Bundled by esbuild into one script (worker-script.ts): it must not import the database.
import { AsyncLocalStorage } from "node:async_hooks";
import { parentPort } from "node:worker_threads";
import type { ConnectionHandle, HttpClient } from "@/sdk";
import { cachedBundle, loadBundle } from "../bundle/load-bundle";
import {
  reviveError,
  serializeError,
  type CallOp,
  type HostToWorker,
  type NoteOp,
  type RunContextData,
  type WorkerToHost,
} from "./protocol";
import { remoteHttpClient, type RemoteHttpAnswer } from "./remote-http-client";

if (!parentPort) throw new Error("the sandbox worker entry runs only as a worker thread");
const port = parentPort;

interface Pending {
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

interface CurrentRun {
  runId: number;
  nextId: number;
  pending: Map<number, Pending>;
  /** Step bodies waiting for the host's go (not memoized), by step call id. */
  stepBodies: Map<number, { name: string; fn: () => unknown }>;
  /** What a step body threw here: integration code gets its own error object back. */
  stepErrors: Map<number, unknown>;
  /** Steps earlier attempts completed, by seq (null: the host decides every step, as before). */
  memo: Map<number, { name: string; output: unknown }> | null;
  stepSeq: number;
}

let current: CurrentRun | null = null;
/** The step call a piece of code runs inside, so the host files logs and HTTP under that step. */
const stepScope = new AsyncLocalStorage<number>();
// An enabled AsyncLocalStorage runs a hook on every promise this thread creates (~⅓ of a sandbox
// thread's CPU on trivial runs), so it is on only while a step body is running: run() enables
// it, and it is disabled again once no step body is in flight. Code a step left behind (a timer
// firing after the step returned) then files its logs under no step, as code outside steps does.
let stepsInFlight = 0;

function post(message: WorkerToHost) {
  port.postMessage(message);
}

// A fault outside the awaited flow (a throw in a timer callback, a promise nobody handles) fails
// the current run; the host then retires this thread. Without these handlers it would die with
// a generic error, or, for rejections, be kept alive in an unknown state.
process.on("uncaughtException", (err) => {
  post({ t: "fault", runId: current?.runId ?? null, kind: "uncaughtException", error: serializeError(err) });
});
process.on("unhandledRejection", (reason) => {
  post({ t: "fault", runId: current?.runId ?? null, kind: "unhandledRejection", error: serializeError(reason) });
});

// process.exit in a worker ends only this thread; say so first, so the run's error is precise.
const realExit = process.exit.bind(process);
process.exit = ((code?: number | string | null) => {
  const n = typeof code === "number" ? code : Number(code ?? process.exitCode ?? 0) || 0;
  post({ t: "exit", runId: current?.runId ?? null, code: n });
  return realExit(n);
}) as typeof process.exit;
// process.kill on its own pid would take down the executor (and every run beside this one).
const realKill = process.kill.bind(process);
process.kill = ((pid: number, signal?: string | number) => {
  if (pid === process.pid || pid === 0) throw new Error("integration code may not signal the executor process");
  return realKill(pid, signal);
}) as typeof process.kill;

function call<T>(run: CurrentRun, op: CallOp, id = ++run.nextId): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    run.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    try {
      post({ t: "call", runId: run.runId, id, scope: stepScope.getStore() ?? null, ...op } as WorkerToHost);
    } catch (err) {
      // e.g. DataCloneError: an HTTP body or state value that cannot cross the port.
      run.pending.delete(id);
      reject(err);
    }
  });
}

function note(run: CurrentRun, op: NoteOp) {
  if (current !== run) return; // a finished run's leftover code: its context is closed
  const message = { t: "note", runId: run.runId, scope: stepScope.getStore() ?? null, ...op } as WorkerToHost;
  try {
    post(message);
  } catch {
    // Log data that cannot be cloned (functions, class instances with handles): send its JSON.
    if (op.op === "log") post({ ...message, data: jsonOrMarker(op.data) } as WorkerToHost);
  }
}

function jsonOrMarker(value: unknown): unknown {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return { unserializable: true };
  }
}

function buildContext(run: CurrentRun, data: RunContextData) {
  const handles: Record<string, ConnectionHandle> = {};
  for (const [key, c] of Object.entries(data.connections)) handles[key] = Object.freeze({ key, app: c.app, auth: c.auth });
  const clients = new Map<string, HttpClient>();
  const payload = data.trigger.payload;

  function http(connection: ConnectionHandle): HttpClient {
    const key = connection?.key;
    const handle = key !== undefined ? handles[key] : undefined;
    if (!handle) throw new Error(`ctx.http: "${String(key)}" is not one of this integration's connections`);
    let client = clients.get(handle.key);
    if (client) return client;
    client = remoteHttpClient(handle, (request) => call<RemoteHttpAnswer>(run, request));
    clients.set(handle.key, client);
    return client;
  }

  function step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    name = String(name);
    if (!run.memo) {
      const id = ++run.nextId;
      run.stepBodies.set(id, { name, fn });
      return call<T>(run, { op: "step", name }, id);
    }
    // The host numbers steps the same way (messages keep their order), so the worker can decide
    // itself: a step an earlier attempt completed returns its stored output (the host only
    // counts it); any other runs at once, its result going to the host in "stepDone", and the
    // call resolves once the host has stored it (durable before the run goes on).
    const seq = ++run.stepSeq;
    const done = run.memo.get(seq);
    if (done && done.name === name) {
      if (current === run) post({ t: "stepMemo", runId: run.runId, name });
      return Promise.resolve(done.output as T);
    }
    const id = ++run.nextId;
    run.stepBodies.set(id, { name, fn });
    const stored = call<T>(run, { op: "step", name, eager: true }, id);
    void runStepBody(run, id);
    return stored;
  }

  const log = (level: "info" | "warn" | "error") => (message: string, logData?: Record<string, unknown>) =>
    note(run, { op: "log", level, message: String(message), ...(logData !== undefined ? { data: logData } : {}) });

  return {
    config: data.config,
    connections: handles,
    customer: data.customer,
    execution: data.execution,
    trigger: {
      type: data.trigger.type,
      contentType: data.trigger.contentType,
      ...(data.trigger.headers ? { headers: data.trigger.headers } : {}),
      get payload() {
        if (!payload.ok) throw reviveError(payload.error);
        return payload.value;
      },
    },
    step,
    http,
    log: { info: log("info"), warn: log("warn"), error: log("error") },
    reference(id: string | number) {
      note(run, { op: "reference", id: typeof id === "number" ? id : String(id) });
    },
    state: {
      get: <T = unknown>(key: string) => call<T | undefined>(run, { op: "stateGet", key: String(key) }),
      set: (key: string, value: unknown) => call<void>(run, { op: "stateSet", key: String(key), value }),
    },
  };
}

async function runStepBody(run: CurrentRun, id: number) {
  const body = run.stepBodies.get(id);
  if (!body) return;
  run.stepBodies.delete(id);
  stepsInFlight++;
  await stepScope.run(id, async () => {
    try {
      const result = await body.fn();
      let json: string | undefined;
      try {
        json = JSON.stringify(result);
      } catch (err) {
        throw new Error(`the result of step "${body.name}" is not JSON: ${(err as Error).message}`);
      }
      post({ t: "stepDone", runId: run.runId, id, ok: true, json });
    } catch (err) {
      run.stepErrors.set(id, err);
      post({ t: "stepDone", runId: run.runId, id, ok: false, error: serializeError(err) });
    } finally {
      if (--stepsInFlight === 0) stepScope.disable();
    }
  });
}

async function startRun(msg: Extract<HostToWorker, { t: "run" }>) {
  const run: CurrentRun = {
    runId: msg.runId,
    nextId: 0,
    pending: new Map(),
    stepBodies: new Map(),
    stepErrors: new Map(),
    memo: msg.memo ? new Map(msg.memo.map((s) => [s.seq, { name: s.name, output: s.output }])) : null,
    stepSeq: 0,
  };
  current = run;
  try {
    let def = cachedBundle(msg.sha256);
    if (!def) def = loadBundle({ sha256: msg.sha256, code: await call<string>(run, { op: "bundle" }) });
    const flow = def.flows[msg.flowKey];
    if (!flow) throw new Error(`flow "${msg.flowKey}" does not exist in this version of the integration`);
    const ctx = buildContext(run, msg.ctx);
    if (msg.announce !== false) post({ t: "started", runId: run.runId });
    const result: unknown = await flow.run(ctx as never);
    let json: string | undefined;
    try {
      json = JSON.stringify(result);
    } catch {
      json = JSON.stringify({ unserializable: true });
    }
    if (current === run) post({ t: "done", runId: run.runId, ok: true, json });
  } catch (err) {
    if (current === run) post({ t: "done", runId: run.runId, ok: false, error: serializeError(err) });
  }
}

port.on("message", (msg: HostToWorker) => {
  if (msg.t === "run") {
    void startRun(msg);
    return;
  }
  const run = current;
  if (!run || msg.runId !== run.runId) return;
  if (msg.t === "runStep") {
    void runStepBody(run, msg.id);
    return;
  }
  const pending = run.pending.get(msg.id);
  if (!pending) return;
  run.pending.delete(msg.id);
  if (msg.ok) {
    run.stepErrors.delete(msg.id);
    pending.resolve(msg.value);
    return;
  }
  const own = run.stepErrors.get(msg.id);
  run.stepErrors.delete(msg.id);
  pending.reject(own ?? reviveError(msg.error));
});
