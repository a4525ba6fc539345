import net from "node:net";
import { Agent, buildConnector, type Dispatcher } from "undici";
import { stripBrackets, type AddressPolicy } from "./address-policy";

export interface OutboundAgentOptions {
  policy: AddressPolicy;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Sockets per origin: a cap, so one slow remote cannot take every file descriptor. */
  connectionsPerOrigin?: number;
}

/**
 * The one keep-alive pool per process for integration traffic (never a client per call).
 * Every connection goes through the address policy: IP literals here, names in its lookup.
 */
export function createOutboundAgent(opts: OutboundAgentOptions): Dispatcher {
  const connectTimeout = opts.connectTimeoutMs ?? 10_000;
  const base = buildConnector({ timeout: connectTimeout, lookup: opts.policy.lookup });
  const connect: buildConnector.connector = (options, callback) => {
    const host = stripBrackets(options.hostname);
    if (net.isIP(host)) {
      try {
        opts.policy.checkLiteral(host);
      } catch (err) {
        return callback(err as Error, null);
      }
    }
    base(options, callback);
  };
  return new Agent({
    connect,
    connections: opts.connectionsPerOrigin ?? 32,
    headersTimeout: opts.headersTimeoutMs ?? 30_000,
    bodyTimeout: opts.bodyTimeoutMs ?? 30_000,
    keepAliveTimeout: 10_000,
  });
}
