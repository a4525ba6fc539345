import { spawn, type ChildProcess } from "node:child_process";

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

interface Running {
  spec: ServiceSpec;
  child?: ChildProcess;
  restarts: number;
  startedAt: number;
}

/**
 * Keeps child processes alive: a service that dies is restarted with a log line saying so
 * (backoff grows when it keeps crashing right after start); stop() sends SIGTERM to all,
 * waits for a grace period, then SIGKILLs what is left.
 */
export class ProcessSupervisor {
  private services = new Map<string, Running>();
  private stopping = false;

  constructor(private readonly log: (line: string) => void) {}

  start(spec: ServiceSpec) {
    const entry: Running = { spec, restarts: 0, startedAt: Date.now() };
    this.services.set(spec.name, entry);
    this.spawn(entry);
  }

  private spawn(entry: Running) {
    const { spec } = entry;
    entry.startedAt = Date.now();
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ["ignore", "pipe", "pipe"] });
    entry.child = child;
    this.log(`started ${spec.name} (pid ${child.pid})`);
    const prefix = `[${spec.name}] `;
    const pipe = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
      let buf = "";
      stream?.on("data", (chunk: Buffer) => {
        buf += chunk.toString();
        let i: number;
        while ((i = buf.indexOf("\n")) >= 0) {
          out.write(prefix + buf.slice(0, i) + "\n");
          buf = buf.slice(i + 1);
        }
      });
    };
    pipe(child.stdout, process.stdout);
    pipe(child.stderr, process.stderr);
    child.on("exit", (code, signal) => {
      if (this.stopping) return;
      const quick = Date.now() - entry.startedAt < 5_000;
      entry.restarts = quick ? entry.restarts + 1 : 0;
      const delay = Math.min(500 * 2 ** entry.restarts, 15_000);
      this.log(
        `${spec.name} (pid ${child.pid}) exited with ${signal ?? `code ${code}`} — restarting in ${Math.round(delay / 100) / 10}s`,
      );
      setTimeout(() => {
        if (!this.stopping) this.spawn(entry);
      }, delay).unref();
    });
  }

  pids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.services].map(([name, s]) => [name, s.child?.pid]));
  }

  async stop(graceMs = 15_000) {
    this.stopping = true;
    const alive = [...this.services.values()].filter((s) => s.child && s.child.exitCode === null && s.child.signalCode === null);
    await Promise.all(
      alive.map(
        (s) =>
          new Promise<void>((resolve) => {
            const child = s.child!;
            const timer = setTimeout(() => {
              this.log(`${s.spec.name} did not stop within ${graceMs / 1000}s — killing`);
              child.kill("SIGKILL");
            }, graceMs);
            child.once("exit", () => {
              clearTimeout(timer);
              this.log(`stopped ${s.spec.name}`);
              resolve();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
  }
}
