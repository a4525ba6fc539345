import { randomBytes } from "node:crypto";
import path from "node:path";
import { buildBundle } from "@/engine/bundle/build-bundle";
import type { Db } from "@/lib/db";
import { createConnection } from "@/server/services/connections/create-connection";
import { deployInstance } from "@/server/services/instances/deploy-instance";
import { publishVersion } from "@/server/services/integrations/publish-version";
import type { OrgScope } from "@/server/tenancy/scope";

// The rows a benchmark needs, made through the same services as the console and the demo seed:
// an organization and customer, a published version, a deployed instance and its webhook token.

export interface SeededInstance {
  organizationId: string;
  instanceId: string;
  token: string;
}

async function orgAndCustomer(db: Db) {
  const org = await db.organization.create({ data: { name: "Bench Org", slug: `bench-${randomBytes(6).toString("hex")}` } });
  const scope: OrgScope = { db, organizationId: org.id, actor: { type: "system" } };
  const customer = await db.customer.create({ data: { organizationId: org.id, externalId: "bench-customer", name: "Bench Customer" } });
  return { org, scope, customer };
}

/** orders-to-erp (the ingest benchmark's instance); its runs are never executed here. */
export async function seedOrdersInstance(db: Db): Promise<SeededInstance> {
  const { org, scope, customer } = await orgAndCustomer(db);
  await db.app.create({
    data: { organizationId: org.id, key: "erp", name: "Acme ERP", baseUrl: "http://127.0.0.1:9/", authType: "API_KEY" },
  });
  const published = await publishVersion(scope, { bundle: await buildBundle("integrations/orders-to-erp/index.ts"), changelog: "bench" });
  const connection = await createConnection(scope, {
    customerId: customer.id,
    appKey: "erp",
    authType: "apiKey",
    credentials: { apiKey: "bench-key" },
  });
  const instance = await deployInstance(scope, {
    customerId: customer.id,
    versionId: published.version.id,
    config: {},
    connections: { erp: connection.id },
  });
  return { organizationId: org.id, instanceId: instance.id, token: instance.webhooks[0]!.token };
}

/** The one-step integration (throughput benchmark). */
export async function seedOneStepInstance(db: Db): Promise<SeededInstance> {
  const { org, scope, customer } = await orgAndCustomer(db);
  const entry = path.resolve("bench/fixtures/one-step/index.ts");
  const published = await publishVersion(scope, { bundle: await buildBundle(entry), changelog: "bench" });
  const instance = await deployInstance(scope, { customerId: customer.id, versionId: published.version.id, config: {}, connections: {} });
  return { organizationId: org.id, instanceId: instance.id, token: instance.webhooks[0]!.token };
}
