import { randomBytes } from "node:crypto";
import path from "node:path";
import pino from "pino";
import { describe, expect } from "vitest";
import type { Db } from "@/lib/db";
import { REDACT_PATHS } from "@/lib/logger";
import type { Redis } from "@/lib/redis";
import { createConnection } from "@/server/services/connections/create-connection";
import { deployInstance } from "@/server/services/instances/deploy-instance";
import { publishVersion } from "@/server/services/integrations/publish-version";
import type { OrgScope } from "@/server/tenancy/scope";
import { dbTest } from "@/test/db-test";
import { sandboxAdmin, type SandboxAdmin } from "../../../sandbox/admin-client";
import { startSandbox, type RunningSandbox } from "../../../sandbox/server";
import { buildBundle } from "../bundle/build-bundle";
import { startExecutor } from "../executor/start-executor";
import { postWebhook, startTestFront, waitForTerminal, type TestFront } from "../testing/walking-skeleton";

// Secret leakage (reliability plan 3.9, S1/S2): a unique canary is the connection's API key, and
// the flow also sends it in a query string, headers and a JSON body, the remote echoes it back
// (in 201, 401 and 503 bodies), the flow returns and logs it and throws an error holding it.
// Runs succeed, fail and retry. Then every stored record is searched for the canary — raw,
// URL-encoded, JSON-escaped, base64: every row of every table in PostgreSQL, every key and value
// under the test's Redis prefix, and everything the executor logged. Pass: 0 occurrences.

const ENTRY = path.resolve(__dirname, "secret-leak/leak-probe-integration.ts");

const test = dbTest.extend<{ sandbox: RunningSandbox; admin: SandboxAdmin; front: TestFront }>({
  // eslint-disable-next-line no-empty-pattern
  sandbox: async ({}, use) => {
    const sandbox = await startSandbox({ port: 0 });
    await use(sandbox);
    await sandbox.close();
  },
  admin: async ({ sandbox }, use) => use(sandboxAdmin(sandbox.url)),
  front: async ({ db, redisUrl, redisPrefix }, use) => {
    const front = await startTestFront({ db, redisUrl, redisPrefix });
    await use(front);
    await front.close();
  },
});

function variants(secret: string): string[] {
  return [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url")];
}

async function seed(db: Db, sandboxUrl: string, apiKey: string) {
  const org = await db.organization.create({ data: { name: "Leak Org", slug: `leak-${randomBytes(6).toString("hex")}` } });
  const scope: OrgScope = { db, organizationId: org.id, actor: { type: "system" } };
  const customer = await db.customer.create({ data: { organizationId: org.id, externalId: "c1", name: "Customer One" } });
  await db.app.create({ data: { organizationId: org.id, key: "erp", name: "Acme ERP", baseUrl: sandboxUrl, authType: "API_KEY" } });
  const published = await publishVersion(scope, { bundle: await buildBundle(ENTRY), changelog: "leak probe" });
  const connection = await createConnection(scope, { customerId: customer.id, appKey: "erp", authType: "apiKey", credentials: { apiKey } });
  const instance = await deployInstance(scope, { customerId: customer.id, versionId: published.version.id, config: {}, connections: { erp: connection.id } });
  return { token: instance.webhooks[0]!.token };
}

/** Every row of every table, as JSON text (bytea shows as hex, which is not a form we look for). */
async function dumpDatabase(db: Db): Promise<Record<string, string>> {
  const tables = await db.$queryRawUnsafe<{ table_name: string }[]>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const out: Record<string, string> = {};
  for (const { table_name } of tables) {
    const rows = await db.$queryRawUnsafe<{ j: string }[]>(`SELECT row_to_json(t)::text AS j FROM "${table_name}" t`);
    out[table_name] = rows.map((r) => r.j).join("\n");
  }
  return out;
}

async function dumpRedis(redis: Redis, prefix: string): Promise<string> {
  const parts: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    for (const key of keys) {
      parts.push(key);
      const type = await redis.type(key);
      if (type === "string") parts.push((await redis.get(key)) ?? "");
      else if (type === "hash") parts.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === "list") parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === "set") parts.push(JSON.stringify(await redis.smembers(key)));
      else if (type === "zset") parts.push(JSON.stringify(await redis.zrange(key, 0, -1, "WITHSCORES")));
      else if (type === "stream") parts.push(JSON.stringify(await redis.xrange(key, "-", "+")));
    }
  } while (cursor !== "0");
  return parts.join("\n");
}

describe("secret leakage", () => {
  test("a planted API key appears nowhere in PostgreSQL, Redis or the executor's logs after runs that succeed, fail and retry", async ({
    db,
    redis,
    redisPrefix,
    sandbox,
    admin,
    front,
  }) => {
    const canary = `cAnAry+${randomBytes(8).toString("hex")}/Zz`;
    await admin.configure({ erp: { acceptedKeys: [canary] } });
    const { token } = await seed(db, sandbox.url, canary);

    const logLines: string[] = [];
    const logger = pino({ level: "trace", redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, { write: (line: string) => void logLines.push(line) });
    const executor = startExecutor({ db, redis, prefix: redisPrefix, logger, concurrency: 2, outboundAllowlist: ["127.0.0.1"], retryBaseDelayMs: 50 });
    try {
      const run = async (id: string, extra: Record<string, unknown> = {}) => {
        const res = await postWebhook(front.url, token, { id, echo: canary, ...extra });
        expect(res.status).toBe(202);
        return waitForTerminal(db, res.body.executionId!);
      };

      // Success: the ERP echoes the body (with the canary) in its 201, and again on GET.
      expect(await run("ok-1")).toMatchObject({ status: "SUCCEEDED" });

      // Retry: a 503 whose body quotes the key, then success.
      await admin.addFault({ app: "erp", match: { method: "POST" }, mode: "status", status: 503, body: `upstream rejected key ${canary}`, times: 1 });
      expect(await run("retry-1")).toMatchObject({ status: "SUCCEEDED", attempt: 2 });

      // Failure: the network drops every call, until the attempts run out.
      await admin.addFault({ app: "erp", match: { method: "POST" }, mode: "reset", times: 3 });
      expect(await run("net-1")).toMatchObject({ status: "FAILED", errorClass: "REMOTE_UNAVAILABLE" });

      // Failure: the integration's own error quotes the key.
      expect(await run("bug-1", { throwIt: true })).toMatchObject({ status: "FAILED", errorClass: "BUG" });

      // Failure: a 401 that echoes the key in JSON (last: an AUTH failure pauses the instance).
      await admin.addFault({ app: "erp", match: { method: "GET" }, mode: "status", status: 401, body: { error: { message: `key ${canary} is not valid`, api_key: canary } } });
      const denied = await run("auth-1");
      expect(denied).toMatchObject({ status: "FAILED", errorClass: "AUTH" });
      expect(denied.errorMessage).toContain("[masked]");
    } finally {
      await executor.close();
    }

    // The runs left records to search (the test would pass vacuously otherwise).
    expect(await db.httpExchange.count()).toBeGreaterThanOrEqual(8);
    expect(await db.logEntry.count()).toBeGreaterThan(0);
    expect(logLines.length).toBeGreaterThan(0);

    const forms = variants(canary);
    const leaks: string[] = [];
    for (const [table, text] of Object.entries(await dumpDatabase(db)))
      for (const form of forms) if (text.includes(form)) leaks.push(`postgres "${table}" holds ${JSON.stringify(form)}`);
    const redisText = await dumpRedis(redis, redisPrefix);
    for (const form of forms) if (redisText.includes(form)) leaks.push(`redis holds ${JSON.stringify(form)}`);
    const logs = logLines.join("");
    for (const form of forms) if (logs.includes(form)) leaks.push(`executor log holds ${JSON.stringify(form)}`);
    expect(leaks).toEqual([]);

    // And the records are still useful to support: the exchanges are there, masked.
    const x = await db.httpExchange.findFirstOrThrow({ where: { method: "POST", status: 201 } });
    expect(x.url).toContain("api_key=%5Bmasked%5D");
    expect(x.requestHeaders).toMatchObject({ "x-api-key": "[masked]", "x-signature": "[masked]", "x-note": "[masked]" });
  }, 150_000);
});
