// What support may see of an HTTP exchange: credentials masked, bodies cut. Secrets never
// reach a stored record — header masking by name, plus a scrub of the connection's actual
// secret values wherever else they appear (an API echoing the key back in a body, say).

export const MASK = "[masked]";
export const DEFAULT_BODY_LIMIT = 8 * 1024;

const SENSITIVE_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
  "apikey",
  "x-auth-token",
  "x-access-token",
  "x-csrf-token",
]);
const SENSITIVE_NAME = /(token|secret|passw|api[-_]?key|signature|session|credential|auth)/i;

export function isSensitiveName(name: string, extra: readonly string[] = []): boolean {
  const n = name.toLowerCase();
  return SENSITIVE_HEADERS.has(n) || extra.some((e) => e.toLowerCase() === n) || SENSITIVE_NAME.test(n);
}

export function maskHeaders(
  headers: Record<string, string | string[] | undefined>,
  extraSensitive: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = isSensitiveName(name, extraSensitive) ? MASK : Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** The URL with credentials in userinfo and sensitive query parameters masked. */
export function maskUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (u.username || u.password) {
    u.username = u.username ? "masked" : "";
    u.password = "";
  }
  for (const key of [...u.searchParams.keys()]) {
    if (isSensitiveName(key) || /^(key|code|sig)$/i.test(key)) u.searchParams.set(key, MASK);
  }
  return u.toString();
}

/** Replaces every occurrence of each secret (6+ characters, so we do not mask "a") in text. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 6 && out.includes(s)) out = out.split(s).join(MASK);
  return out;
}

export function truncateText(text: string, limit = DEFAULT_BODY_LIMIT): string {
  if (Buffer.byteLength(text) <= limit) return text;
  const cut = Buffer.from(text).subarray(0, limit).toString("utf8").replace(/\uFFFD$/, "");
  return `${cut}… [truncated, ${Buffer.byteLength(text)} bytes]`;
}

/** A body as support sees it: text when it looks like text, a note otherwise. */
export function bodyForRecord(
  body: Uint8Array | string | null | undefined,
  contentType: string | undefined,
  secrets: readonly string[],
  limit = DEFAULT_BODY_LIMIT,
): string | null {
  if (body === null || body === undefined) return null;
  if (typeof body !== "string") {
    if (body.length === 0) return null;
    const textual = !contentType || /json|text|xml|form|javascript|csv|yaml/i.test(contentType);
    if (!textual) return `[${body.length} bytes of ${contentType}]`;
    body = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  }
  if (body.length === 0) return null;
  return truncateText(scrubSecrets(body, secrets), limit);
}
