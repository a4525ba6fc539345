// App handlers are plain functions from a buffered request to a Reply value. Returning a value
// rather than writing to the socket lets a fault rule run *after* the handler (the effect is
// applied, then the answer is lost), which is how ambiguous writes are simulated.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";

export const MAX_BODY_BYTES = 1024 * 1024;

export interface AppRequest {
  method: string;
  /** Full path, e.g. /erp/api/sales-orders */
  path: string;
  /** Path below the app's mount, e.g. /api/sales-orders */
  subpath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export class BodyTooLarge extends Error {}

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new BodyTooLarge(`body exceeds ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function errorReply(status: number, code: string, message: string, extra?: Record<string, unknown>): Reply {
  return { status, body: { error: { code, message, ...extra } } };
}

/** Parses a JSON body; a Reply (400) when it is not JSON. */
export function parseJsonBody(req: AppRequest): { ok: true; value: unknown } | { ok: false; reply: Reply } {
  if (req.body.length === 0) return { ok: false, reply: errorReply(400, "bad_request", "request body must be JSON") };
  try {
    return { ok: true, value: JSON.parse(req.body.toString("utf8")) };
  } catch {
    return { ok: false, reply: errorReply(400, "bad_request", "request body is not valid JSON") };
  }
}

export function header(req: AppRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  const payload = reply.body === undefined ? "" : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...(payload ? { "content-type": "application/json; charset=utf-8" } : {}),
    "content-length": String(Buffer.byteLength(payload)),
    ...reply.headers,
  });
  res.end(payload);
}
