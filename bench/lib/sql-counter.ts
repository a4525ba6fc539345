import pg from "pg";

// Counts SQL statements by their first word (SELECT, INSERT, BEGIN…) for every pg client in this
// process — Prisma's pg adapter and the bare baselines both go through pg.Client#query. One
// counter increment per statement: negligible next to the round trip it counts.

const counts: Record<string, number> = {};
const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
  const q = args[0] as string | { text?: string } | undefined;
  const text = typeof q === "string" ? q : q?.text;
  const verb = (text ?? "?").trim().split(/\s+/, 1)[0]!.toUpperCase();
  counts[verb] = (counts[verb] ?? 0) + 1;
  return original.apply(this, args);
};

/** The counts since the last take(), then starts again from zero. */
export function takeSqlCounts(): Record<string, number> {
  const snapshot = { ...counts };
  for (const k of Object.keys(counts)) delete counts[k];
  return snapshot;
}

/** CPU ms (user, system) of this process since the last call. */
let mark = process.cpuUsage();
export function takeCpuMs(): { user: number; system: number } {
  const d = process.cpuUsage(mark);
  mark = process.cpuUsage();
  return { user: d.user / 1000, system: d.system / 1000 };
}
