import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { AppError, ERROR_HTTP } from "@/lib/errors";
import { handleEventRequest } from "../events/handle-event-request";
import { ingestWebhook, type IngestDeps } from "./ingest-webhook";

// The ingest front: a bare node:http server that answers webhooks itself and hands every other
// request to Next. Next's request pipeline tops out near 1k req/s on this hardware
// (ENVIRONMENT.md); webhooks must not queue behind page renders.

export type NextHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface FrontServerOptions {
  deps: IngestDeps;
  nextHandler: NextHandler;
}

const HOOK_PATH = /^\/api\/hooks\/([^/?#]+)\/?$/;
const EVENTS_PATH = "/api/v1/events";

class BodyTooLarge extends Error {}

function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...extraHeaders,
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: unknown, deps: IngestDeps) {
  if (err instanceof AppError) {
    const status = ERROR_HTTP[err.code].status;
    const headers: Record<string, string> = {};
    if (err.code === "PAYLOAD_TOO_LARGE") headers.connection = "close";
    if (err.code === "UNAVAILABLE") headers["retry-after"] = "5";
    return sendJson(res, status, { error: { code: err.code, message: err.message, ...(err.details && err.code !== "NOT_FOUND" ? { details: err.details } : {}) } }, headers);
  }
  deps.logger.error({ err }, "webhook ingest failed");
  sendJson(res, 500, { error: { code: "INTERNAL", message: "internal error" } });
}

/**
 * Reads the body, refusing past `maxBytes`. An oversized body is drained (not buffered) so
 * the client reads our 413 instead of a reset connection; a body beyond 8× the limit is cut.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    let tooLarge = Number.isFinite(declared) && declared > maxBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > maxBytes * 8) {
          reject(new BodyTooLarge());
          req.destroy();
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => (tooLarge ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks, size))));
    req.on("error", reject);
  });
}

async function handleHook(req: IncomingMessage, res: ServerResponse, token: string, deps: IngestDeps) {
  let body: Buffer;
  try {
    body = await readBody(req, deps.maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge)
      return sendError(res, new AppError("PAYLOAD_TOO_LARGE", `body is larger than ${deps.maxBytes} bytes`), deps);
    return; // the client went away mid-body: nobody to answer
  }
  try {
    const result = await ingestWebhook(deps, {
      token,
      body,
      contentType: req.headers["content-type"] ?? null,
      headers: req.headers,
    });
    sendJson(res, 202, { executionId: result.executionId });
  } catch (err) {
    sendError(res, err, deps);
  }
}

async function handleEvent(req: IncomingMessage, res: ServerResponse, deps: IngestDeps) {
  let body: Buffer;
  try {
    body = await readBody(req, deps.maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge)
      return sendError(res, new AppError("PAYLOAD_TOO_LARGE", `body is larger than ${deps.maxBytes} bytes`), deps);
    return;
  }
  try {
    const result = await handleEventRequest(deps, { authorization: req.headers.authorization ?? null, body });
    sendJson(res, 202, result);
  } catch (err) {
    sendError(res, err, deps);
  }
}

export function createFrontServer({ deps, nextHandler }: FrontServerOptions): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0]!;
    const hook = req.method === "POST" ? HOOK_PATH.exec(path) : null;
    if (hook) {
      void handleHook(req, res, hook[1]!, deps).catch((err) => sendError(res, err, deps));
      return;
    }
    if (req.method === "POST" && (path === EVENTS_PATH || path === `${EVENTS_PATH}/`)) {
      void handleEvent(req, res, deps).catch((err) => sendError(res, err, deps));
      return;
    }
    Promise.resolve(nextHandler(req, res)).catch((err) => {
      deps.logger.error({ err, url: req.url }, "request handler failed");
      if (!res.headersSent) sendJson(res, 500, { error: { code: "INTERNAL", message: "internal error" } });
      else res.destroy();
    });
  });
}
