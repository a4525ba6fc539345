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
 * Reads the body into memory, never holding more than `maxBytes` of it. A declared
 * Content-Length past the limit is refused before a byte is read; a body without a length
 * (chunked) is refused as soon as it crosses the limit. Either way reading stops there: the
 * caller answers 413 with `Connection: close` and node:http closes the socket once the answer is
 * written, so a sender streaming gigabytes costs us at most the limit (reliability-plan I1).
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (declaredTooLarge(req, maxBytes)) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        req.off("data", onData);
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks, size)));
    req.on("error", reject);
  });
}

function declaredTooLarge(req: IncomingMessage, maxBytes: number): boolean {
  const declared = Number(req.headers["content-length"]);
  return Number.isFinite(declared) && declared > maxBytes;
}

/**
 * Any Content-Encoding but identity is refused with 415 (RFC 7694: `Accept-Encoding: identity`
 * names what we take), before the body is read. Why not inflate or keep it: bodies are stored
 * byte for byte as received and read back, as their Content-Type says, by the flow, replays, the
 * console and ordering-key functions. Inflating here would store bytes nobody sent and needs a
 * bounded inflater (a few KB of gzip inflate to gigabytes); storing the compressed bytes would
 * put an inflate step — and that bomb — in every one of those readers. Webhook senders do not
 * compress requests in practice, so refusing costs nothing and nothing here ever inflates.
 */
function unsupportedEncoding(req: IncomingMessage): string | null {
  const raw = req.headers["content-encoding"];
  if (raw === undefined) return null;
  const codings = raw.split(",").map((c) => c.trim().toLowerCase()).filter(Boolean);
  return codings.every((c) => c === "identity") ? null : raw.slice(0, 100);
}

/** Refuses what must not be read (wrong encoding, declared too large). True when answered. */
function refusedBeforeBody(req: IncomingMessage, res: ServerResponse, deps: IngestDeps): boolean {
  const encoding = unsupportedEncoding(req);
  if (encoding !== null) {
    sendJson(
      res,
      415,
      { error: { code: "UNSUPPORTED_MEDIA_TYPE", message: `Content-Encoding "${encoding}" is not accepted: send the body uncompressed`, details: { accept: "identity" } } },
      { "accept-encoding": "identity", connection: "close" },
    );
    return true;
  }
  if (declaredTooLarge(req, deps.maxBytes)) {
    sendError(res, tooLarge(deps), deps);
    return true;
  }
  return false;
}

const tooLarge = (deps: IngestDeps) => new AppError("PAYLOAD_TOO_LARGE", `body is larger than ${deps.maxBytes} bytes`, { limit: deps.maxBytes });

async function handleHook(req: IncomingMessage, res: ServerResponse, token: string, deps: IngestDeps) {
  if (refusedBeforeBody(req, res, deps)) return;
  let body: Buffer;
  try {
    body = await readBody(req, deps.maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) return sendError(res, tooLarge(deps), deps);
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
  if (refusedBeforeBody(req, res, deps)) return;
  let body: Buffer;
  try {
    body = await readBody(req, deps.maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) return sendError(res, tooLarge(deps), deps);
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
  const ingestPath = (req: IncomingMessage) => {
    const path = (req.url ?? "/").split("?", 1)[0]!;
    if (req.method !== "POST") return null;
    const hook = HOOK_PATH.exec(path);
    if (hook) return { token: hook[1]! };
    return path === EVENTS_PATH || path === `${EVENTS_PATH}/` ? { token: null } : null;
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const ingest = ingestPath(req);
    if (ingest?.token) {
      void handleHook(req, res, ingest.token, deps).catch((err) => sendError(res, err, deps));
      return;
    }
    if (ingest) {
      void handleEvent(req, res, deps).catch((err) => sendError(res, err, deps));
      return;
    }
    Promise.resolve(nextHandler(req, res)).catch((err) => {
      deps.logger.error({ err, url: req.url }, "request handler failed");
      if (!res.headersSent) sendJson(res, 500, { error: { code: "INTERNAL", message: "internal error" } });
      else res.destroy();
    });
  };
  const server = createServer(handle);
  // A sender that asks before sending (`Expect: 100-continue`; curl does past 1 MiB) is refused
  // before it sends a byte of a body we would not take; everyone else is told to go on.
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    if (ingestPath(req) && refusedBeforeBody(req, res, deps)) return;
    res.writeContinue();
    handle(req, res);
  });
  return server;
}
