// What each fault mode does to the connection. These are the failures an HTTP client meets in
// the wild: error statuses with Retry-After, slowness, silence, broken bodies, dropped sockets,
// bodies that stall half-way and bodies far larger than anyone should buffer.
import type { ServerResponse } from "node:http";
import { sendReply, type Reply } from "../http-io";
import type { FaultRule } from "./fault-rules";

export interface FaultResult {
  /** true: the fault answered (or killed) the request; false: carry on with the app's reply. */
  handled: boolean;
  /** Status written to the wire, null when none was (hang, reset). */
  status: number | null;
}

const DEFAULT_LARGE_BYTES = 50 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, "x");

export async function applyFault(
  rule: FaultRule,
  res: ServerResponse,
  appReply: Reply | null,
  delay: (ms: number) => Promise<void>,
): Promise<FaultResult> {
  switch (rule.mode) {
    case "slow":
      await delay(rule.delayMs ?? 1000);
      return { handled: false, status: null };

    case "status": {
      const status = rule.status ?? 500;
      const headers: Record<string, string> = { ...rule.headers };
      const retryAfter = rule.retryAfter ?? (status === 429 ? 1 : undefined);
      if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
      if (typeof rule.body === "string") {
        // Raw text, e.g. the HTML error page a proxy answers with.
        res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
        res.end(rule.body);
      } else {
        const body = rule.body ?? { error: { code: "injected_fault", message: `injected ${status}` } };
        sendReply(res, { status, headers, body });
      }
      return { handled: true, status };
    }

    case "malformed": {
      // After the app ran, cut its real answer in half; otherwise a plausible truncated list.
      const full = appReply ? JSON.stringify(appReply.body ?? {}) : '{"data":[{"id":"ord_00001","number":"1001","items":[';
      const text = typeof rule.body === "string" ? rule.body : appReply ? full.slice(0, Math.max(1, full.length >> 1)) : full;
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)) });
      res.end(text);
      return { handled: true, status: 200 };
    }

    case "hang":
      // Never answer; the request ends when the client gives up or the sandbox closes.
      return { handled: true, status: null };

    case "reset":
      // A TCP RST (ECONNRESET at the client), not a polite FIN.
      res.socket?.resetAndDestroy();
      return { handled: true, status: null };

    case "stall":
      // Headers and the start of a body, then nothing: only a body/idle timeout gets out of this.
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      res.write('{"data":[');
      return { handled: true, status: 200 };

    case "large":
      await streamLargeBody(res, rule.bytes ?? DEFAULT_LARGE_BYTES);
      return { handled: true, status: 200 };
  }
}

// Chunked (no content-length): a client must enforce its cap while reading, not from a header.
async function streamLargeBody(res: ServerResponse, bytes: number): Promise<void> {
  res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
  const head = '{"data":"';
  const tail = '"}';
  res.write(head);
  let left = Math.max(0, bytes - head.length - tail.length);
  while (left > 0 && !res.destroyed) {
    const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
    left -= chunk.length;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    }
  }
  if (!res.destroyed) res.end(tail);
}
