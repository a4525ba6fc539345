// The options worker thread: evaluates a version's bundle (cached per thread by sha256) and runs
// one config field's options loader at a time. ctx.http is a message to the host, which holds the
// credentials and the outbound policy; only builder code runs here.
// Bundled by esbuild into one script (options-worker-script.ts): it must not import the database.
import { parentPort } from "node:worker_threads";
import { evaluateBundle, sha256Hex } from "@/engine/bundle/load-bundle";
import { reviveError, serializeError } from "@/engine/sandbox/protocol";
import { remoteHttpClient, type RemoteHttpAnswer } from "@/engine/sandbox/remote-http-client";
import type { AnyIntegration, ConnectionHandle, HttpClient } from "@/sdk";
import type { CallOp, HostToWorker, WorkerToHost } from "./options-protocol";

if (!parentPort) throw new Error("the options worker entry runs only as a worker thread");
const port = parentPort;

const post = (m: WorkerToHost) => port.postMessage(m);
const bundles = new Map<string, AnyIntegration>();
const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
let current: number | null = null;
let nextId = 0;

process.on("uncaughtException", (err) => post({ t: "fault", callId: current, error: serializeError(err) }));
process.on("unhandledRejection", (reason) => post({ t: "fault", callId: current, error: serializeError(reason) }));

function call<T>(callId: number, op: CallOp): Promise<T> {
  const id = ++nextId;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    try {
      post({ t: "call", callId, id, ...op } as WorkerToHost);
    } catch (err) {
      pending.delete(id);
      reject(err);
    }
  });
}

async function definition(callId: number, sha256: string): Promise<AnyIntegration> {
  const hit = bundles.get(sha256);
  if (hit) return hit;
  const code = await call<string>(callId, { op: "bundle" });
  if (sha256Hex(code) !== sha256) throw new Error("bundle sha256 mismatch");
  const def = evaluateBundle(code, `portico-bundle-${sha256.slice(0, 12)}.js`);
  // A few versions' definitions per thread; the oldest go first (the wizard uses the newest).
  if (bundles.size >= 20) bundles.delete(bundles.keys().next().value!);
  bundles.set(sha256, def);
  return def;
}

function context(msg: Extract<HostToWorker, { t: "load" }>) {
  const handles: Record<string, ConnectionHandle> = {};
  for (const [key, c] of Object.entries(msg.connections)) handles[key] = Object.freeze({ key, app: c.app, auth: c.auth });
  const http = (connection: ConnectionHandle): HttpClient => {
    const handle = connection?.key !== undefined ? handles[connection.key] : undefined;
    if (!handle) throw new Error(`ctx.http: "${String(connection?.key)}" is not one of this integration's connections`);
    return remoteHttpClient(handle, (request) => call<RemoteHttpAnswer>(msg.callId, request));
  };
  const log = (level: "info" | "warn" | "error") => (message: string, data?: Record<string, unknown>) => {
    try {
      post({ t: "log", callId: msg.callId, level, message: String(message), ...(data !== undefined ? { data } : {}) });
    } catch {
      post({ t: "log", callId: msg.callId, level, message: String(message) });
    }
  };
  return { config: msg.config, connections: handles, http, log: { info: log("info"), warn: log("warn"), error: log("error") } };
}

async function load(msg: Extract<HostToWorker, { t: "load" }>) {
  current = msg.callId;
  try {
    const def = await definition(msg.callId, msg.sha256);
    const loader = def.configOptions?.[msg.field];
    if (!loader || typeof loader.load !== "function") throw new Error(`config field "${msg.field}" has no options loader in this version`);
    const value: unknown = await loader.load(context(msg) as never);
    // Plain data only crosses back (a class instance or a function would not clone).
    post({ t: "done", callId: msg.callId, ok: true, value: JSON.parse(JSON.stringify(value ?? null)) as unknown });
  } catch (err) {
    post({ t: "done", callId: msg.callId, ok: false, error: serializeError(err) });
  } finally {
    if (current === msg.callId) current = null;
  }
}

port.on("message", (msg: HostToWorker) => {
  if (msg.t === "load") return void load(msg);
  const waiter = pending.get(msg.id);
  if (!waiter) return;
  pending.delete(msg.id);
  if (msg.ok) waiter.resolve(msg.value);
  else waiter.reject(reviveError(msg.error));
});
