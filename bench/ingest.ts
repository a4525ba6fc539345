// Ingest benchmark: accepted webhooks per second for Portico's ingest front beside three bare
// servers measured in the same run, rounds interleaved (A, B, C, D, A, B, ...), so that the
// ratios hold on a noisy shared machine even when the absolute figures drift.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import type pg from "pg";
import { createDb } from "@/lib/db";
import { QUEUES } from "@/lib/queues";
import { ORDER } from "./fixtures/order";
import { Child } from "./lib/children";
import { fire, type LoadResult } from "./lib/load";
import { infraCpuMs } from "./lib/proc-cpu";
import { seedOrdersInstance } from "./lib/seed";
import { fmt, median, ratio, round, table } from "./lib/stats";
import type { BenchContext } from "./run";

export const INGEST_VARIANTS = [
  { key: "bare-202", label: "bare node:http → 202" },
  { key: "bare-queue", label: "bare node:http + BullMQ add" },
  { key: "ledger-first", label: "bare ledger-first (INSERT, then add)" },
  { key: "portico", label: "Portico ingest front" },
] as const;
type VariantKey = (typeof INGEST_VARIANTS)[number]["key"];

interface RoundResult extends LoadResult {
  variant: VariantKey;
  round: number;
  /** Statuses the server itself decided (counted at writeHead). */
  serverStatuses: Record<string, number>;
  /** SQL statements the server sent during the round, by first word. */
  sql: Record<string, number>;
  /** CPU ms during the round: the server process (user + system), Postgres (all backends), Redis. */
  cpuMs: { server: number; serverSystem: number; postgres: number; redis: number };
  ledger?: LedgerCheck;
  /** Portico only: INSERT statements (batches) and the rows they wrote during the round. */
  batches?: { batches: number; rows: number };
}

interface LedgerCheck {
  serverSent202: number;
  client2xx: number;
  executionRows: number;
  queuedJobs: number;
  ok: boolean;
}

export interface IngestSummary {
  connections: number;
  variant: VariantKey;
  label: string;
  acceptedPerS: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
  rounds: number[];
  /** Median CPU ms per 1,000 requests the server decided (any status). */
  cpuPer1k: { server: number; postgres: number; redis: number; total: number };
  /** SQL statements per request (median over rounds), by first word. */
  sqlPerRequest: Record<string, number>;
}

export async function runIngest(ctx: BenchContext) {
  const { admin, redis, log } = ctx;
  const durationS = Number(process.env.BENCH_INGEST_SECONDS ?? 5);
  const roundsN = Number(process.env.BENCH_ROUNDS ?? 3);
  const connectionLevels = (process.env.BENCH_CONNECTIONS ?? "50,200").split(",").map(Number);
  const basePort = Number(process.env.BENCH_INGEST_PORT ?? 47810);

  log(`ingest: ${INGEST_VARIANTS.length} variants × ${connectionLevels.join("/")} connections × ${roundsN} rounds × ${durationS} s, interleaved`);
  await admin.query(`CREATE TABLE IF NOT EXISTS bench_ledger (
    id uuid PRIMARY KEY, content_type text, payload bytea NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`);

  const db = createDb(ctx.databaseUrl, { max: 2 });
  const seeded = await seedOrdersInstance(db);
  await db.$disconnect();

  const bodyFile = path.join(mkdtempSync(path.join(os.tmpdir(), "portico-bench-")), "order.json");
  writeFileSync(bodyFile, JSON.stringify(ORDER));
  const porticoQueue = new Queue(QUEUES.executions.name, { connection: redis, prefix: process.env.REDIS_PREFIX });
  porticoQueue.on("error", () => {});

  const servers = new Map<VariantKey, { child: Child; url: string }>();
  try {
    for (const [i, v] of INGEST_VARIANTS.entries()) {
      const port = basePort + i;
      const profile = ctx.cpuProfileDir ? { dir: ctx.cpuProfileDir, name: `ingest-${v.key}` } : undefined;
      const child = new Child("bench/ingest-server.ts", [v.key, String(port)], {}, profile, path.join(ctx.logDir, `ingest-${v.key}.log`));
      servers.set(v.key, { child, url: `http://127.0.0.1:${port}/api/hooks/${v.key === "portico" ? seeded.token : "bench-token-0123456789abcdef"}` });
    }
    await Promise.all([...servers.values()].map((s) => s.child.request({ type: "ready" })));

    const clean = async () => {
      await redis.flushdb();
      await admin.query(`TRUNCATE "Execution", bench_ledger CASCADE`);
      await admin.query("CHECKPOINT");
      await redis.bgrewriteaof().catch(() => {});
      for (let i = 0; i < 100 && /aof_rewrite_in_progress:1/.test(await redis.info("persistence")); i++) await sleep(50);
    };

    // Warm-up (not counted): a few requests one by one (Prisma's first query is slow to
    // start), then 2 s of load for JIT, connection pools and Postgres caches.
    log("ingest: warm-up, 2 s per variant");
    for (const v of INGEST_VARIANTS) {
      const s = servers.get(v.key)!;
      await prime(s.url, JSON.stringify(ORDER));
      const r = await fire({ url: s.url, connections: 50, durationS: 2, bodyFile });
      if (r.ok2xx === 0) throw new Error(`${v.key} accepted nothing during warm-up: ${JSON.stringify(r.statusCodes)}`);
      await s.child.request({ type: "idle" });
      await clean();
      await s.child.request({ type: "stats" });
    }

    const rounds: RoundResult[] = [];
    for (const connections of connectionLevels) {
      for (let round = 1; round <= roundsN; round++) {
        for (const v of INGEST_VARIANTS) {
          const s = servers.get(v.key)!;
          await s.child.request({ type: "stats" }); // opens the measurement window
          const infraBefore = infraCpuMs();
          const load = await fire({ url: s.url, connections, durationS, bodyFile });
          // Requests still in flight when autocannon stopped are finished (and counted) first.
          const idle = await s.child.request<{ inflight: number }>({ type: "idle" });
          if (idle.inflight > 0) log(`  warning: ${v.key} still had ${idle.inflight} requests in flight after 60 s`);
          const stats = await s.child.request<{ statuses: Record<string, number>; sql: Record<string, number>; cpuMs: { user: number; system: number }; batches?: { batches: number; rows: number } }>({ type: "stats" });
          const infraAfter = infraCpuMs();
          const result: RoundResult = {
            ...load,
            variant: v.key,
            round,
            serverStatuses: stats.statuses,
            sql: stats.sql,
            cpuMs: { server: stats.cpuMs.user + stats.cpuMs.system, serverSystem: stats.cpuMs.system, postgres: infraAfter.postgresMs - infraBefore.postgresMs, redis: infraAfter.redisMs - infraBefore.redisMs },
            ...(stats.batches ? { batches: stats.batches } : {}),
          };
          if (v.key === "portico") result.ledger = await ledgerCheck(admin, porticoQueue, stats.statuses, load.ok2xx);
          rounds.push(result);
          log(
            `  ${String(connections).padStart(3)} conns, round ${round}, ${v.key.padEnd(12)} ${fmt(load.acceptedPerS).padStart(7)} accepted/s` +
              `  p50 ${load.latencyP50Ms} ms  p99 ${load.latencyP99Ms} ms  non-2xx ${load.non2xx}  errors ${load.errors}` +
              `  CPU/1k: server ${fmt(perRequest([result]).cpuPer1k.server)} pg ${fmt(perRequest([result]).cpuPer1k.postgres)} redis ${fmt(perRequest([result]).cpuPer1k.redis)} ms` +
              (result.ledger
                ? `\n      ledger check: 202 sent ${fmt(result.ledger.serverSent202)} (client saw ${fmt(result.ledger.client2xx)}), ` +
                  `Execution rows ${fmt(result.ledger.executionRows)}, queued jobs ${fmt(result.ledger.queuedJobs)} → ${result.ledger.ok ? "OK" : "MISMATCH"}` +
                  (result.batches?.batches ? `; ${fmt(result.batches.batches)} INSERTs, ${(result.batches.rows / result.batches.batches).toFixed(1)} rows each` : "")
                : ""),
          );
          await clean();
        }
      }
    }

    const summaries: IngestSummary[] = [];
    for (const connections of connectionLevels)
      for (const v of INGEST_VARIANTS) {
        const rs = rounds.filter((r) => r.variant === v.key && r.connections === connections);
        summaries.push({
          connections,
          variant: v.key,
          label: v.label,
          acceptedPerS: round(median(rs.map((r) => r.acceptedPerS))),
          latencyP50Ms: median(rs.map((r) => r.latencyP50Ms)),
          latencyP99Ms: median(rs.map((r) => r.latencyP99Ms)),
          non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
          errors: rs.reduce((a, r) => a + r.errors + r.timeouts, 0),
          rounds: rs.map((r) => round(r.acceptedPerS)),
          ...perRequest(rs),
        });
      }

    const get = (c: number, k: VariantKey) => summaries.find((s) => s.connections === c && s.variant === k)!;
    const ratios: Record<string, number> = {};
    const lines: string[] = [];
    for (const connections of connectionLevels) {
      const portico = get(connections, "portico");
      lines.push(`\nIngest, ${connections} connections (median of ${roundsN} × ${durationS} s; ~1 KB order JSON)`);
      lines.push(
        table(
          ["variant", "accepted/s", "p50 ms", "p99 ms", "non-2xx", "errors", "rounds (accepted/s)", "Portico ÷ this", "CPU ms/1k req: server+pg+redis", "SQL/req"],
          INGEST_VARIANTS.map((v) => {
            const s = get(connections, v.key);
            if (v.key !== "portico") ratios[`portico/${v.key}@${connections}`] = Number((portico.acceptedPerS / s.acceptedPerS).toFixed(3));
            const c = s.cpuPer1k;
            const sql = Object.entries(s.sqlPerRequest).map(([k, n]) => `${n} ${k}`).join(", ");
            return [v.label, fmt(s.acceptedPerS), fmt(s.latencyP50Ms, 1), fmt(s.latencyP99Ms, 1), fmt(s.non2xx), fmt(s.errors), s.rounds.map((x) => fmt(x)).join(" / "), v.key === "portico" ? "" : ratio(portico.acceptedPerS, s.acceptedPerS), `${fmt(c.total)} = ${fmt(c.server)}+${fmt(c.postgres)}+${fmt(c.redis)}`, sql || "—"];
          }),
        ),
      );
    }
    const targets = [
      { name: "Portico ≥ 1.0× ledger-first at 50 connections", key: "portico/ledger-first@50", min: 1.0 },
      { name: "Portico ≥ 0.5× bare-queue at 50 connections", key: "portico/bare-queue@50", min: 0.5 },
      { name: "Portico ≥ 0.5× bare-queue at 200 connections", key: "portico/bare-queue@200", min: 0.5 },
    ].filter((t) => ratios[t.key] !== undefined).map((t) => ({ ...t, ratio: ratios[t.key]!, met: ratios[t.key]! >= t.min }));
    lines.push("\nIngest targets");
    lines.push(table(["target", "ratio", "met?"], targets.map((t) => [t.name, `${t.ratio.toFixed(2)}×`, t.met ? "yes" : "NO"])));
    const ledgerRounds = rounds.filter((r) => r.ledger);
    const ledgerOk = ledgerRounds.every((r) => r.ledger!.ok);
    lines.push(`Ledger: ${ledgerRounds.length} Portico rounds, every 202 has its Execution row and its job: ${ledgerOk ? "yes" : "NO"}`);
    console.log(lines.join("\n"));

    return { settings: { durationS, rounds: roundsN, connectionLevels, bodyBytes: Buffer.byteLength(JSON.stringify(ORDER)) }, rounds, summaries, ratios, targets, ledgerOk };
  } finally {
    await Promise.all([...servers.values()].map((s) => s.child.close()));
    await porticoQueue.close().catch(() => {});
  }
}

function perRequest(rs: RoundResult[]) {
  const decided = (r: RoundResult) => Math.max(1, Object.values(r.serverStatuses).reduce((a, b) => a + b, 0));
  const per1k = (pick: (r: RoundResult) => number) => round(median(rs.map((r) => (pick(r) / decided(r)) * 1000)));
  const cpuPer1k = {
    server: per1k((r) => r.cpuMs.server),
    postgres: per1k((r) => r.cpuMs.postgres),
    redis: per1k((r) => r.cpuMs.redis),
    total: per1k((r) => r.cpuMs.server + r.cpuMs.postgres + r.cpuMs.redis),
  };
  const verbs = new Set(rs.flatMap((r) => Object.keys(r.sql)));
  const sqlPerRequest = Object.fromEntries([...verbs].map((v) => [v, round(median(rs.map((r) => (r.sql[v] ?? 0) / decided(r))), 2)]));
  return { cpuPer1k, sqlPerRequest };
}

async function prime(url: string, body: string) {
  const until = Date.now() + 60_000;
  for (let ok = 0; ok < 20; ) {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body }).catch(() => undefined);
    await res?.arrayBuffer();
    if (res?.status === 202) ok++;
    else if (Date.now() > until) throw new Error(`${url} never answered 202 (last status ${res?.status})`);
    else await sleep(200);
  }
}

async function ledgerCheck(admin: pg.Pool, queue: Queue, statuses: Record<string, number>, client2xx: number): Promise<LedgerCheck> {
  const serverSent202 = statuses[202] ?? 0;
  const { rows } = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM "Execution"`);
  const executionRows = Number(rows[0]!.n);
  const queuedJobs = await queue.getJobCountByTypes("waiting", "prioritized", "delayed");
  // A client can give up on a response the server still sent: it must then be in the ledger too.
  const ok = executionRows === serverSent202 && client2xx <= executionRows && queuedJobs === executionRows;
  return { serverSent202, client2xx, executionRows, queuedJobs, ok };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
