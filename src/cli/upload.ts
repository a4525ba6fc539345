import type { BuiltBundle } from "@/engine/bundle/build-bundle";
import { CliError } from "./entry-file";

export interface UploadTarget {
  url: string;
  apiKey: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface UploadResult {
  created: boolean;
  message: string;
  version: { number: number; sha256: string };
}

type ErrorBody = { error?: { code?: string; message?: string; details?: { problems?: { message: string }[]; issues?: { path: unknown[]; message: string }[] } } };

/** The server's words for a refused upload, as they came (one line per problem it listed). */
function refusal(status: number, body: ErrorBody, raw: string): string {
  const e = body.error;
  if (!e?.message) return `Portico answered ${status}: ${raw.slice(0, 300) || "(empty body)"}`;
  const lines = [e.message];
  for (const p of (e.details?.problems ?? []).slice(1)) lines.push(`  ${p.message}`);
  for (const i of e.details?.issues ?? []) lines.push(`  ${i.path.join(".")}: ${i.message}`);
  if (status === 401) lines.push("  (check PORTICO_API_KEY: an API key from Settings → API keys of the organization to publish to)");
  return lines.join("\n");
}

/** POST /api/v1/integrations/{key}/versions. Throws CliError with a message to print. */
export async function uploadVersion(target: UploadTarget, bundle: BuiltBundle, changelog?: string): Promise<UploadResult> {
  const base = target.url.replace(/\/+$/, "");
  const endpoint = `${base}/api/v1/integrations/${encodeURIComponent(bundle.manifest.key)}/versions`;
  const doFetch = target.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(endpoint, {
      method: "POST",
      headers: { authorization: `Bearer ${target.apiKey}`, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ code: bundle.code, sha256: bundle.sha256, manifest: bundle.manifest, ...(changelog !== undefined ? { changelog } : {}) }),
      signal: AbortSignal.timeout(target.timeoutMs ?? 120_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = (err as Error).name === "TimeoutError" ? "no answer in time" : (cause?.code ?? cause?.message ?? (err as Error).message);
    throw new CliError(`cannot reach Portico at ${base} (${why}); check PORTICO_URL`);
  }
  const raw = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    body = {};
  }
  if (!res.ok) throw new CliError(refusal(res.status, body as ErrorBody, raw));
  const ok = body as Partial<UploadResult>;
  if (typeof ok.version?.number !== "number") throw new CliError(`Portico answered ${res.status} without a version: ${raw.slice(0, 300)}`);
  return ok as UploadResult;
}
