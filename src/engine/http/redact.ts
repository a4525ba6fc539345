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
  secrets: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = isSensitiveName(name, extraSensitive)
      ? MASK
      : scrubSecrets(Array.isArray(value) ? value.join(", ") : value, secrets);
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

/**
 * The forms a secret takes on the wire and in stored text: raw, URL-encoded, JSON-escaped,
 * base64 (and base64url). Scrubbing all of them keeps an echoed or re-encoded secret out too.
 */
export function secretVariants(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    if (s.length < 6) continue;
    out.add(s);
    out.add(encodeURIComponent(s));
    out.add(JSON.stringify(s).slice(1, -1));
    out.add(Buffer.from(s).toString("base64"));
    out.add(Buffer.from(s).toString("base64url"));
  }
  // Longest first, so a variant that contains another is replaced whole.
  return [...out].sort((a, b) => b.length - a.length);
}

// Keys whose values are credentials in JSON and form bodies (OAuth token answers, login
// calls, webhook registrations...). Narrower than header names: "author" is not "auth".
const SENSITIVE_BODY_KEY = /(token|secret|passw|api[-_]?key|signature|credential|private[-_]?key|^auth(orization)?$|^key$|^code$)/i;
const JSON_STRING_MEMBER = /"((?:[^"\\]|\\.)*)"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g;

/** Masks the string values of credential-named keys in JSON text (works on any JSON, even cut). */
export function maskJsonSecrets(text: string): string {
  return text.replace(JSON_STRING_MEMBER, (whole, key: string, colon: string) =>
    SENSITIVE_BODY_KEY.test(key) ? `"${key}"${colon}"${MASK}"` : whole,
  );
}

/** Masks credential-named fields of a body, by its content type (JSON and forms). */
export function maskBodyFields(text: string, contentType: string | undefined): string {
  const type = (contentType ?? "").toLowerCase();
  if (type.includes("x-www-form-urlencoded")) {
    try {
      const params = new URLSearchParams(text);
      let changed = false;
      for (const key of [...params.keys()]) {
        if (SENSITIVE_BODY_KEY.test(key)) {
          params.set(key, MASK);
          changed = true;
        }
      }
      return changed ? params.toString() : text;
    } catch {
      return text;
    }
  }
  // JSON, or anything that may hold JSON (error pages often do).
  return text.includes('"') ? maskJsonSecrets(text) : text;
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
  // PostgreSQL text columns cannot hold NUL: a remote that sends one would otherwise cost the
  // exchange its record. Shown as U+FFFD, like any byte that is not text.
  return truncateText(maskBodyFields(scrubSecrets(body.replaceAll("\u0000", "\uFFFD"), secrets), contentType), limit);
}
