import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterEach, describe, expect, test } from "vitest";
import { ensureRedisBinary, startRedis } from "./redis-server";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "portico-redis-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Alive and not a zombie (an exited orphan lingers as one until init reaps it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function withClient<T>(url: string, run: (r: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on("error", () => {}); // a refused connection rejects the command; no extra event noise
  try {
    return await run(client);
  } finally {
    client.disconnect();
  }
}

describe("local redis-server", () => {
  test("keeps data across a restart (append-only file) and refuses to evict", async () => {
    const dataDir = await scratchDir();
    const port = await freePort();
    const first = await startRedis({ dataDir, port });
    cleanups.push(first.stop);
    await withClient(first.url, async (r) => {
      await r.set("job", "kept");
      expect(await r.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "noeviction"]);
      expect(await r.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
    });
    await first.stop();

    const second = await startRedis({ dataDir, port });
    cleanups.push(second.stop);
    expect(await withClient(second.url, (r) => r.get("job"))).toBe("kept");
  });

  test("replaces a server that an earlier, killed run left on the same folder", async () => {
    const dataDir = await scratchDir();
    const port = await freePort();
    // An orphan as a killed run leaves it: running, reparented to init (the shell that started
    // it has exited), with its pid recorded in the data folder.
    const orphanPid = Number(
      execFileSync("sh", [
        "-c",
        `${ensureRedisBinary()} --port ${port} --bind 127.0.0.1 --dir ${dataDir} --save '' >/dev/null 2>&1 & echo $!`,
      ]).toString(),
    );
    cleanups.push(async () => {
      try {
        process.kill(orphanPid, "SIGKILL");
      } catch {
        // already gone, as it should be
      }
    });
    await writeFile(path.join(dataDir, "portico-redis.pid"), `${orphanPid}\n`);
    for (let i = 0; i < 100 && !(await withClient(`redis://127.0.0.1:${port}`, (r) => r.ping()).catch(() => null)); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }

    const redis = await startRedis({ dataDir, port });
    cleanups.push(redis.stop);

    expect(isRunning(orphanPid)).toBe(false); // shut down, not left competing for the port
    expect(await withClient(redis.url, (r) => r.ping())).toBe("PONG");
  });

  test("will not start on a port another Redis already serves", async () => {
    const port = await freePort();
    const other = await startRedis({ dataDir: await scratchDir(), port });
    cleanups.push(other.stop);
    await expect(startRedis({ dataDir: await scratchDir(), port })).rejects.toThrow(/already served/);
  });
});
