// Messages between the web process (host) and an options worker thread. Bundled into the worker
// too: no database, no network here. Errors cross as the executor's sandbox sends them.
import type { AuthKind, HttpRequestOptions } from "@/sdk";
import type { HttpMethodName, SerializedError } from "@/engine/sandbox/protocol";

export type HostToWorker =
  | {
      t: "load";
      callId: number;
      sha256: string;
      field: string;
      config: Record<string, unknown>;
      /** Handles of every declared connection (no credentials: HTTP happens in the host). */
      connections: Record<string, { key: string; app: string; auth: AuthKind }>;
    }
  | { t: "reply"; callId: number; id: number; ok: true; value: unknown }
  | { t: "reply"; callId: number; id: number; ok: false; error: SerializedError };

/** What the worker asks the host for; the host answers with a `reply`. */
export type CallOp = { op: "bundle" } | { op: "http"; connection: string; method: HttpMethodName; path: string; options?: HttpRequestOptions };

export type WorkerToHost =
  | ({ t: "call"; callId: number; id: number } & CallOp)
  | { t: "log"; callId: number; level: "info" | "warn" | "error"; message: string; data?: unknown }
  | { t: "done"; callId: number; ok: true; value: unknown }
  | { t: "done"; callId: number; ok: false; error: SerializedError }
  /** Loader code failed outside the awaited promise (a throw in a timer): the thread is retired. */
  | { t: "fault"; callId: number | null; error: SerializedError };
