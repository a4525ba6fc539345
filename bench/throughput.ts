// Run-throughput benchmark: a bare BullMQ worker on no-op jobs beside Portico's executor on
// trivial one-step runs (every record kept), at the same concurrency, rounds interleaved.
import { createDb } from "@/lib/db";
import { Child } from "./lib/children";
import { seedOneStepInstance } from "./lib/seed";
import { fmt, median, ratio, round, table } from "./lib/stats";
import type { BenchContext } from "./run";

interface TpRound {
  variant: "bare" | "ledger" | "ledger-batched" | "portico";
  concurrency: number;
  round: number;
  n: number;
  ms: number;
  perS: number;
  /** Portico: runs that reached a terminal state before the deadline (all of n unless timedOut). */
  done?: number;
  timedOut?: boolean;
  cost: { cpuMs: { worker: number; workerSystem: number; mainThread?: number; postgres: number; redis: number }; sql: Record<string, number> };
  verify?: { succeeded: number; total: number; stepRuns: number; dbSpanMs: number; ok: boolean };
}

function cpuPer1k(cost: TpRound["cost"], n: number) {
  n = Math.max(1, n);
  const k = (ms: number) => (ms / n) * 1000;
  return { worker: k(cost.cpuMs.worker), mainThread: k(cost.cpuMs.mainThread ?? NaN), postgres: k(cost.cpuMs.postgres), redis: k(cost.cpuMs.redis) };
}

function sqlPer(cost: TpRound["cost"], n: number): string {
  if (n <= 0) return "—";
  return Object.entries(cost.sql).map(([verb, c]) => `${(c / n).toFixed(2)} ${verb}`).join(", ") || "—";
}

export async function runThroughput(ctx: BenchContext) {
  const { log } = ctx;
  const roundsN = Number(process.env.BENCH_ROUNDS ?? 3);
  const concurrencies = (process.env.BENCH_CONCURRENCY ?? "1,50").split(",").map(Number);
  const nBare = Number(process.env.BENCH_JOBS ?? 5_000);
  const nPortico = Number(process.env.BENCH_RUNS ?? 200);
  // A Portico measurement stops here even if not all runs finished (runs/s then counts those
  // that did): keeps `all` bounded when the executor is slow or stuck.
  const deadlineS = Number(process.env.BENCH_RUN_DEADLINE_SECONDS ?? 20);
  log(`throughput: bare worker ${fmt(nBare)} no-op jobs, Portico ${fmt(nPortico)} one-step runs; concurrency ${concurrencies.join("/")}; ${roundsN} rounds, interleaved`);

  const db = createDb(ctx.databaseUrl, { max: 2 });
  const seeded = await seedOneStepInstance(db);
  await db.$disconnect();

  // The bare worker is one process for the whole benchmark. Portico gets a fresh executor
  // process per measurement: the executor currently slows down with every run it has done
  // (docs/benchmarks.md, "What limits Portico"), so a long-lived one would make each round
  // slower than the last and the median meaningless.
  const bare = new Child("bench/throughput-worker.ts", [], {}, undefined, `${ctx.logDir}/throughput-bare.log`);
  const rounds: TpRound[] = [];
  try {
    await bare.request({ type: "ready" });
    for (let r = 1; r <= roundsN; r++) {
      for (const concurrency of concurrencies) {
        const b = await bare.request<{ ms: number; cost: TpRound["cost"] }>({ type: "bare", n: nBare, concurrency, warmup: 500 });
        rounds.push({ variant: "bare", concurrency, round: r, n: nBare, ms: b.ms, perS: (nBare / b.ms) * 1000, cost: b.cost });
        const ledgerChild = new Child("bench/throughput-worker.ts", [], {}, undefined, `${ctx.logDir}/throughput-ledger-c${concurrency}-r${r}.log`);
        let l: { ms: number; done: number; timedOut: boolean; cost: TpRound["cost"]; verify: TpRound["verify"] };
        try {
          l = await ledgerChild.request({ type: "ledger", token: seeded.token, instanceId: seeded.instanceId, n: nPortico, concurrency, warmup: Math.max(30, concurrency * 2), deadlineMs: deadlineS * 1000 });
        } finally {
          await ledgerChild.close();
        }
        rounds.push({ variant: "ledger", concurrency, round: r, n: nPortico, ms: l.ms, perS: (l.done / l.ms) * 1000, done: l.done, timedOut: l.timedOut, cost: l.cost, verify: l.verify });
        const ledgerBChild = new Child("bench/throughput-worker.ts", [], {}, undefined, `${ctx.logDir}/throughput-ledger-batched-c${concurrency}-r${r}.log`);
        let lb: typeof l;
        try {
          lb = await ledgerBChild.request({ type: "ledger", batched: true, token: seeded.token, instanceId: seeded.instanceId, n: nPortico, concurrency, warmup: Math.max(30, concurrency * 2), deadlineMs: deadlineS * 1000 });
        } finally {
          await ledgerBChild.close();
        }
        rounds.push({ variant: "ledger-batched", concurrency, round: r, n: nPortico, ms: lb.ms, perS: (lb.done / lb.ms) * 1000, done: lb.done, timedOut: lb.timedOut, cost: lb.cost, verify: lb.verify });
        const profile = ctx.cpuProfileDir ? { dir: ctx.cpuProfileDir, name: `throughput-portico-c${concurrency}-r${r}` } : undefined;
        const portico = new Child("bench/throughput-worker.ts", [], {}, profile, `${ctx.logDir}/throughput-portico-c${concurrency}-r${r}.log`);
        let p: { ms: number; done: number; timedOut: boolean; cost: TpRound["cost"]; verify: TpRound["verify"] };
        try {
          p = await portico.request({
            type: "portico",
            token: seeded.token,
            instanceId: seeded.instanceId,
            n: nPortico,
            concurrency,
            // Enough runs that every sandbox thread (one per concurrent run) is up before the clock starts.
            warmup: Math.max(30, concurrency * 2),
            deadlineMs: deadlineS * 1000,
          });
        } finally {
          await portico.close();
        }
        rounds.push({ variant: "portico", concurrency, round: r, n: nPortico, ms: p.ms, perS: (p.done / p.ms) * 1000, done: p.done, timedOut: p.timedOut, cost: p.cost, verify: p.verify });
        const v = p.verify!;
        log(
          `  round ${r}, concurrency ${String(concurrency).padStart(2)}: bare ${fmt((nBare / b.ms) * 1000).padStart(7)} jobs/s, ` +
            `Portico ${fmt((p.done / p.ms) * 1000).padStart(6)} runs/s` +
            (p.timedOut ? ` (DEADLINE: only ${fmt(p.done)} of ${fmt(nPortico)} runs terminal after ${deadlineS} s)` : "") +
            `, bare ledger worker ${fmt((l.done / l.ms) * 1000).padStart(6)} runs/s (batched ${fmt((lb.done / lb.ms) * 1000)})` +
            `\n      CPU ms per 1k: bare worker ${fmt(cpuPer1k(b.cost, nBare).worker)} + redis ${fmt(cpuPer1k(b.cost, nBare).redis)}; ` +
            `ledger worker ${fmt(cpuPer1k(l.cost, l.done).worker)} + pg ${fmt(cpuPer1k(l.cost, l.done).postgres)} + redis ${fmt(cpuPer1k(l.cost, l.done).redis)}; ` +
            `batched ${fmt(cpuPer1k(lb.cost, lb.done).worker)} + pg ${fmt(cpuPer1k(lb.cost, lb.done).postgres)} + redis ${fmt(cpuPer1k(lb.cost, lb.done).redis)}; ` +
            `Portico executor ${fmt(cpuPer1k(p.cost, p.done).worker)} (main thread ${fmt(cpuPer1k(p.cost, p.done).mainThread)}) + pg ${fmt(cpuPer1k(p.cost, p.done).postgres)} + redis ${fmt(cpuPer1k(p.cost, p.done).redis)}; ` +
            `SQL per run: ${sqlPer(p.cost, p.done)}` +
            `\n      check: ${fmt(v.succeeded)}/${fmt(nPortico)} SUCCEEDED, ${fmt(v.total)} Execution rows, ${fmt(v.stepRuns)} StepRun rows → ${v.ok ? "OK" : "MISMATCH"}`,
        );
      }
    }
  } finally {
    await bare.close();
  }

  const summaries = concurrencies.map((concurrency) => {
    const of = (variant: TpRound["variant"]) => rounds.filter((x) => x.variant === variant && x.concurrency === concurrency);
    const barePerS = round(median(of("bare").map((x) => x.perS)));
    const porticoPerS = round(median(of("portico").map((x) => x.perS)));
    const ledgerPerS = round(median(of("ledger").map((x) => x.perS)));
    const ledgerBatchedPerS = round(median(of("ledger-batched").map((x) => x.perS)));
    const costOf = (variant: TpRound["variant"]) => {
      const rs = of(variant);
      return {
        worker: round(median(rs.map((x) => cpuPer1k(x.cost, x.done ?? x.n).worker))),
        postgres: round(median(rs.map((x) => cpuPer1k(x.cost, x.done ?? x.n).postgres))),
        redis: round(median(rs.map((x) => cpuPer1k(x.cost, x.done ?? x.n).redis))),
      };
    };
    return {
      concurrency,
      bareCpuPer1k: costOf("bare"),
      porticoCpuPer1k: costOf("portico"),
      ledgerCpuPer1k: costOf("ledger"),
      ledgerRunsPerS: ledgerPerS,
      ledgerBatchedRunsPerS: ledgerBatchedPerS,
      ledgerBatchedCpuPer1k: costOf("ledger-batched"),
      ledgerRatio: Number((ledgerPerS / barePerS).toFixed(3)),
      ratioToLedger: Number((porticoPerS / ledgerPerS).toFixed(3)),
      porticoSqlPerRun: of("portico")[0] ? sqlPer(of("portico")[0]!.cost, of("portico")[0]!.done ?? nPortico) : "",
      timedOutRounds: of("portico").filter((x) => x.timedOut).length,
      bareJobsPerS: barePerS,
      porticoRunsPerS: porticoPerS,
      bareRounds: of("bare").map((x) => round(x.perS)),
      porticoRounds: of("portico").map((x) => round(x.perS)),
      ledgerRounds: of("ledger").map((x) => round(x.perS)),
      ledgerBatchedRounds: of("ledger-batched").map((x) => round(x.perS)),
      ratio: Number((porticoPerS / barePerS).toFixed(3)),
      met: porticoPerS / barePerS >= 0.25,
    };
  });
  const verifiedOk = rounds.filter((x) => x.verify).every((x) => x.verify!.ok);
  console.log(`\nRun throughput (median of ${roundsN}; bare: ${fmt(nBare)} no-op jobs, Portico: ${fmt(nPortico)} one-step runs, records kept)`);
  console.log(
    table(
      ["concurrency", "bare BullMQ jobs/s", "bare ledger runs/s", "batched ledger runs/s", "Portico runs/s", "rounds bare", "rounds ledger", "rounds batched", "rounds Portico", "ledger ÷ bare", "batched ÷ bare", "Portico ÷ bare", "≥ 0.25×?", "Portico ÷ ledger", "Portico ÷ batched", "CPU ms/1k bare: worker+redis", "CPU ms/1k ledger: worker+pg+redis", "CPU ms/1k batched: worker+pg+redis", "CPU ms/1k Portico: worker+pg+redis"],
      summaries.map((s) => [
        String(s.concurrency),
        fmt(s.bareJobsPerS),
        fmt(s.ledgerRunsPerS),
        fmt(s.ledgerBatchedRunsPerS),
        fmt(s.porticoRunsPerS),
        s.bareRounds.map((x) => fmt(x)).join(" / "),
        s.ledgerRounds.map((x) => fmt(x)).join(" / "),
        s.ledgerBatchedRounds.map((x) => fmt(x)).join(" / "),
        s.porticoRounds.map((x) => fmt(x)).join(" / "),
        ratio(s.ledgerRunsPerS, s.bareJobsPerS),
        ratio(s.ledgerBatchedRunsPerS, s.bareJobsPerS),
        ratio(s.porticoRunsPerS, s.bareJobsPerS),
        s.met ? "yes" : "NO",
        ratio(s.porticoRunsPerS, s.ledgerRunsPerS),
        ratio(s.porticoRunsPerS, s.ledgerBatchedRunsPerS),
        `${fmt(s.bareCpuPer1k.worker)}+${fmt(s.bareCpuPer1k.redis)}`,
        `${fmt(s.ledgerCpuPer1k.worker)}+${fmt(s.ledgerCpuPer1k.postgres)}+${fmt(s.ledgerCpuPer1k.redis)}`,
        `${fmt(s.ledgerBatchedCpuPer1k.worker)}+${fmt(s.ledgerBatchedCpuPer1k.postgres)}+${fmt(s.ledgerBatchedCpuPer1k.redis)}`,
        `${fmt(s.porticoCpuPer1k.worker)}+${fmt(s.porticoCpuPer1k.postgres)}+${fmt(s.porticoCpuPer1k.redis)}`,
      ]),
    ),
  );
  for (const s of summaries) {
    console.log(`SQL statements per Portico run at concurrency ${s.concurrency}: ${s.porticoSqlPerRun}`);
    if (s.timedOutRounds) console.log(`  ${s.timedOutRounds} Portico round(s) at concurrency ${s.concurrency} hit the ${deadlineS} s deadline: runs/s counts only the runs that finished`);
  }
  console.log(`Records: every Portico round ended with N SUCCEEDED executions and N StepRun rows: ${verifiedOk ? "yes" : "NO"}`);
  return { settings: { rounds: roundsN, concurrencies, nBare, nPortico, deadlineS }, rounds, summaries, verifiedOk };
}
