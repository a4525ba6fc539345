import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, test } from "vitest";
import { startPostgres } from "./postgres";

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

async function select1(url: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query("SELECT current_database() AS db")).rows[0];
  } finally {
    await client.end();
  }
}

describe("embedded Postgres", () => {
  // One test covers the whole lifecycle: initdb is the slow step (seconds), so do it once.
  test("initialises an empty folder, restarts on it, and survives a stale postmaster.pid", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "portico-pg-"));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const dataDir = path.join(root, "pg");
    const port = await freePort();

    const first = await startPostgres({ dataDir, port, unsafeFast: true });
    cleanups.push(first.stop);
    expect(first.url).toBe(`postgresql://postgres:portico@127.0.0.1:${port}/portico`);
    expect(await select1(first.url)).toEqual({ db: "portico" });
    await first.stop();

    // What a SIGKILLed server leaves behind: a lock file naming a process that no longer exists.
    await writeFile(path.join(dataDir, "postmaster.pid"), `999999\n${dataDir}\n`);
    const second = await startPostgres({ dataDir, port, unsafeFast: true });
    cleanups.push(second.stop);
    expect(await select1(second.url)).toEqual({ db: "portico" });
  });
});
