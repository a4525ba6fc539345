import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fmt, table } from "./stats";

// Summarises a V8 .cpuprofile (node --cpu-prof): self time by area (package / Portico source /
// Node internals / GC) and by function, so the docs can say where an ingest request's CPU goes.

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native)";
  if (url.startsWith("wasm://")) return "wasm (Prisma query compiler)";
  if (url.startsWith("node:")) return "node internals";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const parts = url.slice(nm + "node_modules/".length).split("/");
    return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const i = url.indexOf("/work/main/");
  const rel = url.replace(/^file:\/\//, "");
  return i >= 0 ? `portico ${path.dirname(url.slice(i + "/work/main/".length))}` : rel;
}

export function summariseProfile(file: string, top = 15) {
  const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time since the previous sample: charge it to sample i.
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === "(idle)") continue;
    busy += us;
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const key = `${functionName || "(anonymous)"}  ${url ? `${url.split("/").slice(-2).join("/")}:${lineNumber + 1}` : ""}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  // Inclusive: a sample counts for every area anywhere on its stack (once each), e.g. how much
  // of the busy time is spent somewhere under Prisma's client.
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const areasOnPath = new Map<number, Set<string>>();
  const pathAreas = (id: number): Set<string> => {
    let set = areasOnPath.get(id);
    if (set) return set;
    const up = parent.get(id);
    set = new Set(up === undefined ? [] : pathAreas(up));
    const f = byId.get(id)!.callFrame;
    if (f.url) set.add(area(f.url, f.functionName));
    areasOnPath.set(id, set);
    return set;
  };
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    if (byId.get(id)!.callFrame.functionName === "(idle)") continue;
    for (const a of pathAreas(id)) inclusive.set(a, (inclusive.get(a) ?? 0) + us);
  }
  const rank = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => ({ name: k, ms: Math.round(us / 1000), share: us / busy }));
  return { file, busyMs: Math.round(busy / 1000), byArea: rank(areas), inclusiveByArea: rank(inclusive), byFunction: rank(fns) };
}

/** For each child's folder under dir: the busiest profile (the main thread, not tsx's loader). */
export function printProfiles(dir: string) {
  const out = [];
  for (const child of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const files = readdirSync(path.join(dir, child.name)).filter((f) => f.endsWith(".cpuprofile"));
    const s = files.map((f) => summariseProfile(path.join(dir, child.name, f))).sort((a, b) => b.busyMs - a.busyMs)[0];
    if (!s) continue;
    out.push({ child: child.name, ...s });
    console.log(`\nCPU profile of ${child.name} (${path.basename(s.file)}): ${fmt(s.busyMs)} ms busy (idle excluded), self time`);
    console.log(table(["area", "ms", "share"], s.byArea.map((r) => [r.name, fmt(r.ms), `${(r.share * 100).toFixed(1)}%`])));
    console.log("inclusive (the area is anywhere on the stack)");
    console.log(table(["area", "ms", "share"], s.inclusiveByArea.map((r) => [r.name, fmt(r.ms), `${(r.share * 100).toFixed(1)}%`])));
    console.log(table(["function", "ms", "share"], s.byFunction.map((r) => [r.name, fmt(r.ms), `${(r.share * 100).toFixed(1)}%`])));
  }
  return out;
}

// npx tsx bench/lib/profile.ts <dir-or-file>
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  const target = process.argv[2] ?? "";
  if (target.endsWith(".cpuprofile")) {
    const s = summariseProfile(target, 30);
    console.log(JSON.stringify(s, null, 2));
  } else printProfiles(target);
}
