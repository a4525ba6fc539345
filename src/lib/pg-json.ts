/**
 * PostgreSQL's jsonb cannot hold U+0000 ("unsupported Unicode escape sequence"), and a NUL gets
 * into JSON easily: a binary or odd webhook body read as text, a remote's answer, a flow's
 * string. Without this, a run whose result or step result holds one fails as BUG after its work
 * is done. Takes JSON text and writes each escaped NUL as U+FFFD (the replacement character, as
 * for any byte that is not text), leaving an escaped backslash followed by "u0000" alone.
 */
export function pgSafeJsonText(text: string): string {
  return text.includes("\\u0000") ? text.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, "$1\\ufffd") : text;
}
