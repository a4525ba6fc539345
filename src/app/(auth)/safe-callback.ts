/** Only same-origin paths: an open redirect after sign-in is a phishing tool. */
export function safeCallbackUrl(value: string | string[] | undefined, fallback = "/runs"): string {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v || !v.startsWith("/") || v.startsWith("//") || v.startsWith("/\\")) return fallback;
  return v;
}
