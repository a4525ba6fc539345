import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { ProcessSupervisor } from "./process-supervisor";

const node = process.execPath;
const waitFor = async (check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe("process supervisor (npm start)", () => {
  test("restarts a service that dies and says so in its log", async () => {
    const lines: string[] = [];
    const sup = new ProcessSupervisor((l) => lines.push(l));
    sup.start({ name: "worker", command: node, args: ["-e", "setTimeout(() => process.exit(3), 100)"], env: process.env, cwd: process.cwd() });
    await waitFor(() => lines.filter((l) => l.startsWith("started worker")).length >= 2);
    expect(lines.some((l) => /worker \(pid \d+\) exited with code 3 — restarting/.test(l))).toBe(true);
    await sup.stop(2_000);
  });

  test("stop() ends every service it started, killing one that ignores SIGTERM after the grace period", async () => {
    const lines: string[] = [];
    const sup = new ProcessSupervisor((l) => lines.push(l));
    sup.start({ name: "polite", command: node, args: ["-e", "setInterval(() => {}, 1000)"], env: process.env, cwd: process.cwd() });
    // The stubborn child says when its handler is in place (a fixed sleep was too short on a loaded machine).
    const ready = path.join(mkdtempSync(path.join(tmpdir(), "portico-sup-")), "ready");
    sup.start({
      name: "stubborn",
      command: node,
      args: ["-e", "process.on('SIGTERM', () => {}); require('fs').writeFileSync(process.argv[1], 'ok'); setInterval(() => {}, 1000)", ready],
      env: process.env,
      cwd: process.cwd(),
    });
    await waitFor(() => lines.filter((l) => l.startsWith("started")).length === 2 && existsSync(ready), 30_000);
    const pids = Object.values(sup.pids()) as number[];
    await sup.stop(1_000);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(lines).toContain("stubborn did not stop within 1s — killing");
    expect(lines.some((l) => /restarting/.test(l))).toBe(false);
  });
});
