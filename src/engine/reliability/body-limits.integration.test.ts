// I1 of reliability-plan §3.6: bodies past WEBHOOK_MAX_BYTES (1 MiB) — declared with a
// Content-Length, or chunked without one — and compressed bodies (a gzip bomb) sent to the front
// process. The front answers 413 / 415 without reading the body to its end (a client that stops
// sending after the limit still gets its answer), stores nothing, inflates nothing, and its RSS
// (VmRSS of the child, /proc/<pid>/status) grows by less than 10 MiB over all of it.
import { readFileSync } from "node:fs";
import net from "node:net";
import zlib from "node:zlib";
import { describe, expect } from "vitest";
import { stopAfterEachTest } from "./after-each-test";
import { dbTest } from "@/test/db-test";
import { seedOrdersInstance } from "../testing/walking-skeleton";
import { newLedger, postOrders, startFrontProcess } from "./harness";

const LIMIT = 1024 * 1024; // WEBHOOK_MAX_BYTES default: the front child runs with it
// Every refusal is sent this many times (more = a stronger leak check).
const REPEAT = Number(process.env.RELIABILITY_BODY_REPEAT ?? 3);
const MiB = 1024 * 1024;

const { procs } = stopAfterEachTest();

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Body bytes the client had handed to its socket when the exchange ended. */
  sent: number;
}

/**
 * One request on a raw socket, so the test controls exactly what is sent and when: `send` writes
 * the body (or part of it) and may stop early; the answer is read while it writes. Resolves with
 * the parsed answer, or throws if the connection ends without one within `ms` (a front that waits
 * for the whole body never answers here, since the body is never finished).
 */
function rawRequest(url: string, head: string[], send: (w: { write(b: Buffer): Promise<boolean>; answered(): boolean }) => Promise<void>, ms = 30_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise<RawAnswer>((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    let received = Buffer.alloc(0);
    let answer: RawAnswer | undefined;
    let sent = 0;
    let ended = false;
    const timer = setTimeout(() => finish(new Error(`no answer within ${ms} ms after sending ${sent} body bytes (the front is still reading?)`)), ms);
    function finish(err?: Error) {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      socket.destroy();
      if (answer) resolve({ ...answer, sent });
      else reject(err ?? new Error(`connection closed without an answer after ${sent} body bytes`));
    }
    socket.on("data", (d: Buffer) => {
      received = Buffer.concat([received, d]);
      const end = received.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = received.subarray(0, end).toString("latin1").split("\r\n");
      const status = Number(lines[0]!.split(" ")[1]);
      if (status === 100) {
        received = received.subarray(end + 4);
        return;
      }
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(":")).toLowerCase()] = l.slice(l.indexOf(":") + 1).trim();
      const length = Number(headers["content-length"] ?? 0);
      if (received.length - end - 4 < length) return;
      answer = { status, headers, body: received.subarray(end + 4, end + 4 + length).toString("utf8"), sent };
      finish();
    });
    // A write into a socket the front closed fails (EPIPE/ECONNRESET): the answer, if any, was read first.
    socket.on("error", (err) => finish(err));
    socket.on("close", () => finish());
    socket.once("connect", () => {
      socket.write(`${head.join("\r\n")}\r\n\r\n`);
      const w = {
        answered: () => ended || answer !== undefined,
        write: (b: Buffer) =>
          new Promise<boolean>((done) => {
            if (w.answered() || socket.destroyed) return done(false);
            sent += b.length;
            if (socket.write(b)) return done(true);
            const off = () => (socket.off("drain", onDrain), socket.off("close", onClose));
            const onDrain = () => (off(), done(true));
            const onClose = () => (off(), done(false));
            socket.once("drain", onDrain).once("close", onClose);
          }),
      };
      send(w).catch((err: Error) => finish(err));
    });
  });
}

const hookHead = (url: string, token: string, headers: string[]) => {
  const { host } = new URL(url);
  return [`POST /api/hooks/${token} HTTP/1.1`, `Host: ${host}`, "Content-Type: application/json", ...headers];
};

/** Writes `total` bytes as HTTP chunks of 64 KiB and never sends the last (0-length) chunk. */
async function chunked(w: { write(b: Buffer): Promise<boolean> }, total: number) {
  const piece = Buffer.alloc(64 * 1024, 0x61);
  for (let left = total; left > 0; ) {
    const n = Math.min(left, piece.length);
    if (!(await w.write(Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), piece.subarray(0, n), Buffer.from("\r\n")])))) return;
    left -= n;
  }
}

/** `gzip, gzip` of 1 GiB of zeros: under 2 KB on the wire, 1 GiB once inflated twice. */
async function gzipBomb(): Promise<Buffer> {
  const gz = zlib.createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gz.on("data", (c: Buffer) => parts.push(c));
  const done = new Promise((r) => gz.on("end", r));
  const zeros = Buffer.alloc(MiB);
  for (let i = 0; i < 1024; i++) if (!gz.write(zeros)) await new Promise((r) => gz.once("drain", r));
  gz.end();
  await done;
  return zlib.gzipSync(Buffer.concat(parts), { level: 9 });
}

describe("webhook bodies past the limit and compressed bodies", () => {
  dbTest("413 for 1 MiB + 1 byte (declared or chunked) and 415 for gzip, answered before the body ends; nothing stored; front RSS +<10 MiB", async ({ db, databaseUrl, redisUrl, redisPrefix }) => {
    const { token } = await seedOrdersInstance(db, { sandboxUrl: "http://127.0.0.1:9" });
    const front = await startFrontProcess(procs, { databaseUrl, redisUrl, redisPrefix });
    const bomb = await gzipBomb();
    expect(bomb.length).toBeLessThan(4096);

    // Warm up (JIT, pools, caches) so the RSS measured next is the front at work, not at boot.
    const ledger = newLedger();
    await postOrders({ frontUrl: () => front.url, token, from: 1, to: 41, concurrency: 10, ledger });
    expect(ledger.accepted.size).toBe(40);
    await new Promise((r) => setTimeout(r, 500));
    const rssBefore = rssBytes(front.proc.pid);

    for (let i = 0; i < REPEAT; i++) {
      // 1. Declared too large: answered before a single body byte is sent.
      const declared = await rawRequest(front.url, hookHead(front.url, token, [`Content-Length: ${LIMIT + 1}`]), async () => {});
      expect(declared.status).toBe(413);
      expect(declared.headers.connection).toBe("close");
      expect(JSON.parse(declared.body).error.code).toBe("PAYLOAD_TOO_LARGE");
      expect(declared.sent).toBe(0);

      // 1b. The same with `Expect: 100-continue` (curl past 1 MiB): refused instead of "go on".
      const asked = await rawRequest(front.url, hookHead(front.url, token, [`Content-Length: ${LIMIT + 1}`, "Expect: 100-continue"]), async () => {});
      expect(asked.status).toBe(413);

      // 2. Chunked, no length: 1 MiB + 1 byte and then silence (the body never ends). The front
      //    must answer on crossing the limit, not wait for an end that does not come.
      const overByOne = await rawRequest(front.url, hookHead(front.url, token, ["Transfer-Encoding: chunked"]), (w) => chunked(w, LIMIT + 1));
      expect(overByOne.status).toBe(413);

      // 3. Chunked firehose (a sender streaming 256 MiB): cut off long before its end.
      const firehose = await rawRequest(front.url, hookHead(front.url, token, ["Transfer-Encoding: chunked"]), (w) => chunked(w, 256 * MiB)).catch(
        // The connection may be reset under the writer before it reads the 413: also a refusal.
        (err: Error) => ({ status: 0, headers: {}, body: err.message, sent: -1 }),
      );
      expect([0, 413]).toContain(firehose.status);
      expect(firehose.sent).toBeLessThan(64 * MiB);

      // 4. gzip bomb: refused unread, never inflated. And a harmless gzip body: refused the same.
      const bombed = await rawRequest(front.url, hookHead(front.url, token, ["Content-Encoding: gzip, gzip", `Content-Length: ${bomb.length}`]), async (w) => {
        await w.write(bomb);
      });
      expect(bombed.status).toBe(415);
      expect(bombed.headers["accept-encoding"]).toBe("identity");
      const small = zlib.gzipSync(JSON.stringify({ id: "1", number: "SO-gz", currency: "EUR", lines: [] }));
      const gz = await fetch(`${front.url}/api/hooks/${token}`, { method: "POST", headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: small });
      expect(gz.status).toBe(415);
      expect((await gz.json()) as unknown).toMatchObject({ error: { code: "UNSUPPORTED_MEDIA_TYPE" } });
    }

    await new Promise((r) => setTimeout(r, 500));
    const growth = rssBytes(front.proc.pid) - rssBefore;
    expect(growth, `front RSS grew by ${(growth / MiB).toFixed(1)} MiB`).toBeLessThan(10 * MiB);
    console.info(`I1: front RSS ${(rssBefore / MiB).toFixed(1)} MiB before, ${growth >= 0 ? "+" : ""}${(growth / MiB).toFixed(1)} MiB after ${REPEAT}× every refusal`);

    // Nothing stored for the refusals: the warm-up's 40 runs only. The front still works.
    expect(await db.execution.count()).toBe(40);
    await postOrders({ frontUrl: () => front.url, token, from: 41, to: 42, concurrency: 1, ledger });
    expect(ledger.accepted.size).toBe(41);
    expect(front.proc.alive()).toBe(true);
  }, 120_000);
});
