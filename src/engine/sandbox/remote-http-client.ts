import { InvalidDataError, type ConnectionHandle, type HttpClient, type HttpRequestOptions, type HttpResponse } from "@/sdk";
import type { HttpMethodName } from "./protocol";

// The `ctx.http(connection)` a worker thread hands to builder code: every call goes to the host
// (which holds the credentials, the pool, the rate limits and the records) as one message, and
// the answer comes back as text. Shared by the run sandbox and the config-options workers.

export interface RemoteHttpAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export type SendToHost = (request: { op: "http"; connection: string; method: HttpMethodName; path: string; options?: HttpRequestOptions }) => Promise<RemoteHttpAnswer>;

/** The path without query or fragment: error messages must not carry secrets passed in a query string. */
export function stripQuery(path: string): string {
  const q = path.search(/[?#]/);
  return q === -1 ? path : path.slice(0, q);
}

export function remoteHttpClient(handle: ConnectionHandle, sendToHost: SendToHost): HttpClient {
  const send =
    (method: HttpMethodName) =>
    async (path: string, options?: HttpRequestOptions): Promise<HttpResponse> => {
      const r = await sendToHost({ op: "http", connection: handle.key, method, path, ...(options !== undefined ? { options } : {}) });
      return {
        status: r.status,
        headers: r.headers,
        text: () => r.text,
        json<T>(): T {
          try {
            return JSON.parse(r.text) as T;
          } catch {
            throw new InvalidDataError(`${method.toUpperCase()} ${stripQuery(path)}: response is not JSON`, { status: r.status, app: handle.app });
          }
        },
      };
    };
  return { get: send("get"), post: send("post"), put: send("put"), patch: send("patch"), delete: send("delete") };
}
