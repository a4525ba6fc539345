import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { listVersionsEndpoint, publishVersionEndpoint } from "@/server/rest/endpoints/integration-versions";
import { toRouteHandler } from "@/server/rest/handler";
import { seedTenant } from "@/server/testing/seed-tenant";
import { dbTest } from "@/test/db-test";
import { runCli, type CliIo } from "./main";

// The CLI end to end against the real route handlers (served over node:http on a random port)
// and a real database: what `portico publish` prints and what ends up stored.

const ROOT = path.resolve(__dirname, "../..");

async function serve(db: Db): Promise<{ url: string; server: Server }> {
  const handlers = { POST: toRouteHandler(publishVersionEndpoint, () => ({ db })), GET: toRouteHandler(listVersionsEndpoint, () => ({ db })) };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const key = /^\/api\/v1\/integrations\/([^/]+)\/versions$/.exec(req.url ?? "")?.[1];
    const handler = handlers[req.method as "POST" | "GET"];
    if (!key || !handler) {
      res.writeHead(404).end();
      return;
    }
    const request = new Request(`http://localhost${req.url}`, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    const response = await handler(request, { params: Promise.resolve({ key: decodeURIComponent(key) }) });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function io(env: Record<string, string | undefined>): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { env, cwd: ROOT, out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l) };
}

describe("portico CLI", () => {
  dbTest("publish uploads a new version, says so, and says so again when nothing changed", async ({ db }) => {
    const t = await seedTenant(db, "cli");
    const { url, server } = await serve(db);
    try {
      const env = { PORTICO_URL: url, PORTICO_API_KEY: t.apiKey.key };
      const first = io(env);
      expect(await runCli(["publish", "integrations/orders-to-erp", "--changelog", "First cut"], first)).toBe(0);
      expect(first.out).toEqual([expect.stringMatching(/^published orders-to-erp version 1 \(sha256 [0-9a-f]{12}…\)$/)]);
      expect(await db.integrationVersion.findFirstOrThrow({ where: { organizationId: t.organizationId, number: 1, integration: { key: "orders-to-erp" } } })).toMatchObject({
        changelog: "First cut",
        publishedBy: 'API key "Key cli"',
      });

      const again = io(env);
      expect(await runCli(["publish", "integrations/orders-to-erp"], again)).toBe(0);
      expect(again.out).toEqual(["orders-to-erp unchanged: already published as version 1"]);

      // The server refuses what it cannot run (no "acme-shop" app in this organization), in its words.
      const before = await db.integrationVersion.count();
      const refused = io(env);
      expect(await runCli(["publish", "integrations/shop-sync"], refused)).toBe(1);
      expect(refused.err).toEqual(['manifest: connections.shop.app: unknown app "acme-shop" (apps in this organization: erp)']);
      expect(await db.integrationVersion.count()).toBe(before);

      const badKey = io({ ...env, PORTICO_API_KEY: "pk_not_a_key" });
      expect(await runCli(["publish", "integrations/orders-to-erp"], badKey)).toBe(1);
      expect(badKey.err[0]).toMatch(/API key/i);
    } finally {
      server.close();
    }
  });

  it("publish without PORTICO_URL / PORTICO_API_KEY, or with a Portico that is not there, fails clearly", async () => {
    const unset = io({});
    expect(await runCli(["publish", "integrations/orders-to-erp"], unset)).toBe(1);
    expect(unset.err[0]).toMatch(/^set PORTICO_URL .* and PORTICO_API_KEY .* to publish/);

    // A port nobody listens on (taken, then freed).
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const down = io({ PORTICO_URL: `http://127.0.0.1:${port}`, PORTICO_API_KEY: "pk_x" });
    expect(await runCli(["publish", "integrations/orders-to-erp"], down)).toBe(1);
    expect(down.err).toEqual([`cannot reach Portico at http://127.0.0.1:${port} (ECONNREFUSED); check PORTICO_URL`]);

    const dry = io({});
    expect(await runCli(["publish", "integrations/shop-sync", "--dry-run"], dry)).toBe(0);
    expect(dry.out[0]).toMatch(/^shop-sync: valid, \d+ bytes .*dry run, nothing uploaded$/);
  });

  it("validate names the file and the field of a bad manifest", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "portico-cli-"));
    writeFileSync(
      path.join(dir, "index.ts"),
      `import { defineIntegration, z } from "portico/sdk";
export default defineIntegration({ key: "x", name: "X", config: z.object({}), flows: { sync: { trigger: { schedule: { cron: "61 * * * *" } }, run: async () => 1 } } });\n`,
    );
    const bad = { ...io({}), cwd: dir };
    expect(await runCli(["validate", "."], bad)).toBe(1);
    expect(bad.err[0]).toMatch(/^index\.ts: flows\.sync\.trigger\.schedule\.cron: "61 \* \* \* \*" is not a valid cron expression/);

    const good = io({});
    expect(await runCli(["validate", "integrations/shop-sync"], good)).toBe(0);
    expect(good.out[0]).toMatch(/^integrations\/shop-sync\/index\.ts: shop-sync is valid/);

    const usage = io({});
    expect(await runCli(["deploy", "x"], usage)).toBe(1);
    expect(usage.err[0]).toMatch(/^unknown command "deploy"/);
  });
});
