import { fork, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import path from "node:path";

// Every process the benchmark starts is tracked here so that the end of a run, an error or
// Ctrl-C stops exactly those (by pid), and nothing else on this shared machine.

const live = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

/** Last resort when the process exits before an orderly stop finished (no awaiting possible here). */
export function killAllNow(): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}

export async function killAll(): Promise<void> {
  await Promise.all([...live].map((c) => stopChild(c, 3_000)));
}

export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export interface CpuProfileOptions {
  /** Write .cpuprofile files of this child into dir/name/ when it exits. */
  dir: string;
  name: string;
}

/**
 * A TypeScript module in its own Node process (through tsx, as `npm start` runs the workers),
 * talking to us over IPC: `request(msg)` sends one message and resolves with the next reply.
 */
export class Child {
  readonly proc: ChildProcess;
  private waiting: ((msg: any) => void)[] = [];
  private exited: Promise<number | null>;

  /** stdout (pino's log lines) goes to logFile when given, else nowhere; stderr is ours. */
  constructor(file: string, args: string[], env: Record<string, string>, profile?: CpuProfileOptions, logFile?: string) {
    const execArgv = ["--import", "tsx"];
    // Experiments only (what-if measurements, see docs/benchmarks.md): preload a module into every child.
    if (process.env.BENCH_CHILD_REQUIRE) execArgv.push("--require", path.resolve(process.env.BENCH_CHILD_REQUIRE));
    // e.g. --perf-basic-prof, so `perf` (BENCH_PERF=1) can name JavaScript frames.
    if (process.env.BENCH_NODE_FLAGS) execArgv.push(...process.env.BENCH_NODE_FLAGS.split(" ").filter(Boolean));
    if (profile) {
      // One folder per child: V8 writes one profile per thread (tsx's loader thread too).
      const dir = path.join(profile.dir, profile.name);
      mkdirSync(dir, { recursive: true });
      execArgv.push("--cpu-prof", `--cpu-prof-dir=${dir}`);
    }
    this.proc = track(
      fork(path.resolve(file), args, {
        execArgv,
        env: { ...process.env, ...env },
        stdio: ["ignore", logFile ? openLog(logFile) : "ignore", "inherit", "ipc"],
      }),
    );
    this.proc.on("message", (msg: any) => {
      if (msg?.type === "log") return console.log(`    [${path.basename(file, ".ts")}] ${msg.line}`);
      this.waiting.shift()?.(msg);
    });
    this.exited = new Promise((resolve) => this.proc.once("exit", (code) => resolve(code)));
    void this.exited.then((code) => {
      for (const w of this.waiting.splice(0)) w({ type: "error", message: `child ${file} exited with code ${code}` });
    });
  }

  async request<T = any>(msg: object): Promise<T> {
    const reply = new Promise<any>((resolve) => this.waiting.push(resolve));
    this.proc.send(msg);
    const r = await reply;
    if (r?.type === "error") throw new Error(r.message);
    return r as T;
  }

  /** Asks the child to exit by itself (so a CPU profile gets written), then makes sure. */
  async close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    if (this.proc.connected) this.proc.send({ type: "exit" });
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

function openLog(file: string): number {
  mkdirSync(path.dirname(file), { recursive: true });
  return openSync(file, "a");
}

/** Runs a plain command to completion, capturing stdout. */
export function runCapture(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] }));
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The child side of the IPC protocol: handle(msg) → reply; {type:"exit"} ends the process. */
export function serveParent(handle: (msg: any) => Promise<object>, onExit: () => Promise<void>): void {
  const send = (m: object) => process.send?.(m);
  process.on("message", async (msg: any) => {
    if (msg?.type === "exit") {
      await onExit().catch(() => {});
      process.exit(0);
    }
    try {
      send(await handle(msg));
    } catch (err) {
      send({ type: "error", message: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
  });
  // The parent went away (crash, kill -9): do not linger.
  process.on("disconnect", () => process.exit(0));
  for (const s of ["SIGTERM", "SIGINT"] as const) process.once(s, () => void onExit().finally(() => process.exit(0)));
}

export const childLog = (line: string) => process.send?.({ type: "log", line });
