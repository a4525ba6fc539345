import { createRequire } from "node:module";
import { runCapture } from "./children";

// Load comes from autocannon in its own process (never the server's), on 127.0.0.1 only, for a
// bounded duration. Its --json summary is the only thing we read.

const require = createRequire(import.meta.url);
const AUTOCANNON = require.resolve("autocannon/autocannon.js");

export interface LoadResult {
  connections: number;
  durationS: number;
  /** 2xx responses per second over the whole run. */
  acceptedPerS: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  statusCodes: Record<string, number>;
}

export async function fire(o: { url: string; connections: number; durationS: number; bodyFile: string }): Promise<LoadResult> {
  const { code, stdout, stderr } = await runCapture(process.execPath, [
    AUTOCANNON,
    "-c", String(o.connections),
    "-d", String(o.durationS),
    "-m", "POST",
    "-H", "content-type=application/json",
    "-i", o.bodyFile,
    "-t", "10",
    "-j",
    "-n",
    o.url,
  ]);
  const line = stdout.trim().split("\n").filter(Boolean).at(-1);
  if (code !== 0 || !line) throw new Error(`autocannon failed (exit ${code}): ${stderr.slice(0, 500)}`);
  const r = JSON.parse(line);
  const statusCodes: Record<string, number> = {};
  for (const [status, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[status] = (s as { count: number }).count;
  const durationS = Number(r.duration) || o.durationS;
  return {
    connections: o.connections,
    durationS,
    acceptedPerS: r["2xx"] / durationS,
    ok2xx: r["2xx"],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    statusCodes,
  };
}
