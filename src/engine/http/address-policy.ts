import dns, { type LookupAddress, type LookupOptions } from "node:dns";
import net from "node:net";
import { ConfigError } from "@/sdk";

// Outbound address policy (SSRF): integration code must not reach the machine it runs on or
// the private network behind it — cloud metadata at 169.254.169.254 being the classic target.
// Checked at connect time, on the addresses actually dialled, so a DNS answer that changes
// between a check and the connection (rebinding) cannot slip through.

const blocked = new net.BlockList();
for (const [net4, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net4, prefix, "ipv4");
}
for (const [net6, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const) {
  blocked.addSubnet(net6, prefix, "ipv6");
}

/** True when the address is loopback, private, link-local or otherwise not a public host. */
export function isNonPublicAddress(address: string): boolean {
  const type = net.isIP(address);
  if (type === 4) return blocked.check(address, "ipv4");
  if (type === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, "ipv4");
    return blocked.check(address, "ipv6");
  }
  return true; // not an IP at all: refuse rather than guess
}

export interface AddressPolicy {
  /** Throws ConfigError when `host` is an IP literal that is not allowed. */
  checkLiteral(host: string): void;
  /** A dns.lookup replacement for net.connect that refuses non-public answers. */
  lookup: typeof dns.lookup;
  isAllowed(hostOrAddress: string): boolean;
}

function refused(host: string, address?: string): ConfigError {
  const what = address && address !== host ? `${host} (${address})` : host;
  return new ConfigError(
    `outbound call to ${what} refused: private, loopback and link-local addresses are blocked (add the host to OUTBOUND_ALLOWLIST to allow it)`,
  );
}

export function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** `allowlist`: exact hostnames or IPs (OUTBOUND_ALLOWLIST) that may be private. */
export function createAddressPolicy(allowlist: readonly string[]): AddressPolicy {
  const allowed = new Set(allowlist.map((h) => stripBrackets(h.trim().toLowerCase())).filter(Boolean));
  const isAllowed = (hostOrAddress: string) => {
    const h = stripBrackets(hostOrAddress.toLowerCase());
    return allowed.has(h) || !isNonPublicAddress(h);
  };

  const lookup = ((hostname: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === "function" ? options : callback) as (
      err: NodeJS.ErrnoException | null,
      address?: string | LookupAddress[],
      family?: number,
    ) => void;
    const opts: LookupOptions = typeof options === "object" && options !== null ? (options as LookupOptions) : {};
    dns.lookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return cb(err);
      const host = hostname.toLowerCase();
      if (!allowed.has(host)) {
        const bad = addresses.find((a) => !allowed.has(a.address) && isNonPublicAddress(a.address));
        if (bad) return cb(refused(hostname, bad.address) as unknown as NodeJS.ErrnoException);
      }
      if (opts.all) return cb(null, addresses);
      const first = addresses[0];
      if (!first) return cb(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }));
      cb(null, first.address, first.family);
    });
  }) as typeof dns.lookup;

  return {
    isAllowed,
    lookup,
    checkLiteral(host: string) {
      const h = stripBrackets(host);
      if (net.isIP(h) && !isAllowed(h)) throw refused(h);
    },
  };
}

export function parseAllowlist(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}
