// Test support for engine integration tests: the orders-to-erp integration published and
// deployed for one customer through the real services (the same path as the demo seed), and an
// in-process web front + executor on the test's own database, Redis prefix and sandbox.
// Test code only: it composes server services, which engine code proper never imports.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { startExecutor, type RunningExecutor } from "@/engine/executor/start-executor";
import { createFrontServer } from "@/engine/ingest/http-front";
import type { IngestDeps } from "@/engine/ingest/ingest-webhook";
import type { Db } from "@/lib/db";
import { createLogger } from "@/lib/logger";
import { createExecutionsQueue, type ExecutionsQueue } from "@/lib/queues";
import { createRedis, type Redis } from "@/lib/redis";
import { createConnection } from "@/server/services/connections/create-connection";
import { deployInstance } from "@/server/services/instances/deploy-instance";
import { publishVersion } from "@/server/services/integrations/publish-version";
import type { OrgScope } from "@/server/tenancy/scope";
import { buildBundle, type BuiltBundle } from "../bundle/build-bundle";

export const ORDERS_ENTRY = path.resolve(__dirname, "../../../integrations/orders-to-erp/index.ts");
export const ERP_KEY = "erp-demo-key";

let ordersBundle: Promise<BuiltBundle> | undefined;
export const buildOrdersBundle = () => (ordersBundle ??= buildBundle(ORDERS_ENTRY));

export const testLogger = createLogger("engine-test", process.env.TEST_LOG_LEVEL ?? "silent");

export async function seedOrdersInstance(db: Db, opts: { sandboxUrl: string }) {
  const org = await db.organization.create({ data: { name: "Test Org", slug: `test-${randomBytes(6).toString("hex")}` } });
  const scope: OrgScope = { db, organizationId: org.id, actor: { type: "system" } };
  const customer = await db.customer.create({ data: { organizationId: org.id, externalId: "northwind", name: "Northwind Traders" } });
  await db.app.create({
    data: { organizationId: org.id, key: "erp", name: "Acme ERP", baseUrl: opts.sandboxUrl, authType: "API_KEY" },
  });
  const published = await publishVersion(scope, { bundle: await buildOrdersBundle(), changelog: "test" });
  const connection = await createConnection(scope, {
    customerId: customer.id,
    appKey: "erp",
    authType: "apiKey",
    credentials: { apiKey: ERP_KEY },
  });
  const instance = await deployInstance(scope, {
    customerId: customer.id,
    versionId: published.version.id,
    config: { warehouse: "MAIN" },
    connections: { erp: connection.id },
  });
  return { scope, org, customer, version: published.version, connection, instance, token: instance.webhooks[0]!.token };
}

export const sampleOrder = (id = "1001") => ({
  id,
  number: `SO-${id}`,
  currency: "EUR",
  lines: [
    { sku: "A-1", qty: 2, price: 9.5 },
    { sku: "B-7", qty: 1, price: 20 },
  ],
});

export interface TestFront {
  url: string;
  queue: ExecutionsQueue;
  producer: Redis;
  close(): Promise<void>;
}

/** The ingest front on a random port (Next replaced by a 404), with a producer-role Redis. */
export async function startTestFront(o: {
  db: Db;
  redisUrl: string;
  redisPrefix: string;
  maxBytes?: number;
  producer?: Redis;
}): Promise<TestFront> {
  const producer = o.producer ?? createRedis(o.redisUrl, "producer");
  producer.on("error", () => {});
  const queue = createExecutionsQueue(producer, o.redisPrefix);
  queue.on("error", () => {});
  const deps: IngestDeps = { db: o.db, queue, logger: testLogger, maxBytes: o.maxBytes ?? 1024 * 1024, enqueueTimeoutMs: 1_000 };
  const server = createFrontServer({
    deps,
    nextHandler: (_req, res) => {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("next");
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queue,
    producer,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.close().catch(() => {});
      producer.disconnect();
    },
  };
}

export function startTestExecutor(o: { db: Db; redis: Redis; redisPrefix: string; outboundAllowlist?: string[] }): RunningExecutor {
  return startExecutor({
    db: o.db,
    redis: o.redis,
    prefix: o.redisPrefix,
    logger: testLogger,
    concurrency: 2,
    outboundAllowlist: o.outboundAllowlist ?? ["127.0.0.1", "localhost"],
    // Short backoff keeps retry tests quick; the policy itself is unit-tested.
    retryBaseDelayMs: 50,
  });
}

export async function postWebhook(frontUrl: string, token: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${frontUrl}/api/hooks/${token}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : body instanceof Uint8Array ? Buffer.from(body) : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { executionId?: string; error?: { code: string; message: string } } };
}

const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);

/** Polls until the run is terminal (a deadline, not a timing assertion). */
export async function waitForTerminal(db: Db, executionId: string, deadlineMs = 30_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const ex = await db.execution.findUniqueOrThrow({ where: { id: executionId } });
    if (TERMINAL.has(ex.status)) return ex;
    if (Date.now() > until) throw new Error(`run ${executionId} still ${ex.status} after ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
