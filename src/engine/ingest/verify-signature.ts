import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

// Inbound webhook signatures: HMAC-SHA256 over the raw body bytes (or `${timestamp}.${body}` when
// the flow names a timestamp header, so a captured delivery cannot be replayed later), compared
// in constant time. The header may carry several signatures (rotation: `v1=…,v1=…` or
// space-separated, each hex or base64, with or without a `scheme=` prefix); one match is enough.

export interface SignatureSpec {
  header: string;
  algorithm: "sha256";
  timestampHeader?: string;
  toleranceSec?: number;
}

export const DEFAULT_TOLERANCE_SEC = 300;

/** A new per-instance signing secret: 32 random bytes, shown to the sender as `whsec_…`. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

/** AAD context of an endpoint's encrypted secret: binds it to its instance and flow. */
export function signingSecretContext(instanceId: string, flowKey: string): string {
  return `webhook:${instanceId}:${flowKey}:signing-secret`;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function decode(candidate: string): Buffer | null {
  const value = candidate.includes("=") && !/^[A-Za-z0-9+/]+=*$/.test(candidate) ? candidate.slice(candidate.indexOf("=") + 1) : candidate;
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  const b = Buffer.from(value, "base64");
  return b.length === 32 ? b : null;
}

export function signPayload(secret: string, body: Buffer, timestamp?: string): string {
  const mac = createHmac("sha256", secret);
  if (timestamp !== undefined) mac.update(`${timestamp}.`);
  return mac.update(body).digest("hex");
}

/** true only for a signature made with `secret` over this body (and a timestamp within tolerance). */
export function verifySignature(spec: SignatureSpec, secret: string, body: Buffer, headers: Headers, now = Date.now()): boolean {
  const given = header(headers, spec.header);
  if (!given) return false;
  let timestamp: string | undefined;
  if (spec.timestampHeader) {
    timestamp = header(headers, spec.timestampHeader)?.trim();
    if (!timestamp || !/^\d{1,16}$/.test(timestamp)) return false;
    const n = Number(timestamp);
    const ms = n > 1e12 ? n : n * 1000; // seconds or milliseconds
    if (Math.abs(now - ms) > (spec.toleranceSec ?? DEFAULT_TOLERANCE_SEC) * 1000) return false;
  }
  const expected = Buffer.from(signPayload(secret, body, timestamp), "hex");
  let ok = false;
  for (const part of given.split(/[,\s]+/)) {
    const candidate = part ? decode(part) : null;
    // timingSafeEqual throws on unequal lengths: check first (a length is no secret).
    if (candidate && candidate.length === expected.length && timingSafeEqual(candidate, expected)) ok = true;
  }
  return ok;
}
