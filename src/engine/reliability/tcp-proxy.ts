// A TCP proxy for the failure tests: sits between our processes and Redis or PostgreSQL and
// makes the network fail on demand — every open connection reset (TCP RST, as a dropped NAT
// entry or a restarted load balancer does it) and new connections refused until restored.
// The server behind stays up, so nothing is lost on its side: only the path to it breaks.
import net from "node:net";

export interface TcpProxy {
  /** The port it listens on (127.0.0.1, chosen by the OS). */
  port: number;
  /** Connections currently piped through. */
  open(): number;
  /** Connections accepted since start (including refused ones). */
  accepted(): number;
  /** Resets every open connection and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  /** cut(), then restore() after `ms`. */
  blip(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** `url` with its host and port replaced by the proxy's (e.g. a DATABASE_URL or REDIS_URL). */
export function viaProxy(url: string, proxy: TcpProxy): string {
  const u = new URL(url);
  u.hostname = "127.0.0.1";
  u.port = String(proxy.port);
  return u.toString();
}

/** The host and port a service URL points at. */
export function targetOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  const fallback = u.protocol.startsWith("redis") ? 6379 : 5432;
  return { host: u.hostname || "127.0.0.1", port: u.port ? Number(u.port) : fallback };
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let down = false;
  let accepted = 0;

  const server = net.createServer((client) => {
    accepted++;
    if (down) {
      // Refused: an RST right after the handshake (the client sees ECONNRESET).
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    // No half-open connections: when one side goes, the other is reset too.
    const end = () => {
      pairs.delete(pair);
      if (!client.destroyed) client.resetAndDestroy();
      if (!upstream.destroyed) upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => (server.off("error", reject), resolve()));
  });
  const port = (server.address() as net.AddressInfo).port;

  const cut = () => {
    down = true;
    for (const { client, upstream } of [...pairs]) {
      if (!client.destroyed) client.resetAndDestroy();
      if (!upstream.destroyed) upstream.destroy();
    }
    pairs.clear();
  };
  const restore = () => {
    down = false;
  };

  return {
    port,
    open: () => pairs.size,
    accepted: () => accepted,
    cut,
    restore,
    async blip(ms) {
      cut();
      await new Promise((r) => setTimeout(r, ms));
      restore();
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
