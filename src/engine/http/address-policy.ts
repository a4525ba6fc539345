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

/** The IPv4 address an IPv6 address carries (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16). */
function embeddedIpv4(address: string): string | null {
  const groups = expandIpv6(address);
  if (!groups) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (zero(0, 5) && groups[5] === 0xffff) return v4(groups[6]!, groups[7]!); // IPv4-mapped
  if (zero(0, 6) && (groups[6]! !== 0 || groups[7]! > 1)) return v4(groups[6]!, groups[7]!); // IPv4-compatible (deprecated)
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zero(2, 6)) return v4(groups[6]!, groups[7]!); // NAT64
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!); // 6to4
  return null;
}

function expandIpv6(address: string): number[] | null {
  let text = address.toLowerCase().split("%", 1)[0]!;
  // A dotted IPv4 tail becomes two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const groups = [...h, ...Array<string>(Math.max(0, fill)).fill("0"), ...t].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/** True when the address is loopback, private, link-local or otherwise not a public host. */
export function isNonPublicAddress(address: string): boolean {
  const type = net.isIP(address);
  if (type === 4) return blocked.check(address, "ipv4");
  if (type === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 !== null) return blocked.check(v4, "ipv4");
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
  /** True when the exact host (name or IP) is on the allowlist (plain http is only allowed to those). */
  isAllowlisted(host: string): boolean;
}

/** How names are resolved (dns.lookup with all: true); tests pass a stub to play DNS rebinding. */
export type Resolver = (hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolver: Resolver = (hostname, options, callback) => dns.lookup(hostname, { ...options, all: true }, callback);

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
export function createAddressPolicy(allowlist: readonly string[], resolve: Resolver = systemResolver): AddressPolicy {
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
    resolve(hostname, { ...opts, all: true }, (err, addresses) => {
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
    isAllowlisted: (host) => allowed.has(stripBrackets(host.toLowerCase())),
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
