// Test support: the trigger-lab integration published and deployed through the real services.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { generateApiKey } from "@/lib/api-keys";
import type { Db } from "@/lib/db";
import { createConnection } from "@/server/services/connections/create-connection";
import { deployInstance } from "@/server/services/instances/deploy-instance";
import { publishVersion } from "@/server/services/integrations/publish-version";
import type { OrgScope } from "@/server/tenancy/scope";
import { buildBundle, type BuiltBundle } from "../../bundle/build-bundle";

export const LAB_ENTRY = path.resolve(__dirname, "trigger-lab.ts");
let labBundle: Promise<BuiltBundle> | undefined;
export const buildLabBundle = () => (labBundle ??= buildBundle(LAB_ENTRY));

export async function seedLab(db: Db, opts: { sandboxUrl?: string; customers?: string[] } = {}) {
  const org = await db.organization.create({ data: { name: "Lab Org", slug: `lab-${randomBytes(6).toString("hex")}` } });
  const scope: OrgScope = { db, organizationId: org.id, actor: { type: "system" } };
  await db.app.create({
    data: { organizationId: org.id, key: "erp", name: "Acme ERP", baseUrl: opts.sandboxUrl ?? "http://127.0.0.1:9", authType: "API_KEY" },
  });
  const published = await publishVersion(scope, { bundle: await buildLabBundle(), changelog: "test" });
  const apiKey = generateApiKey();
  await db.apiKey.create({ data: { organizationId: org.id, name: "test", prefix: apiKey.prefix, hash: apiKey.hash } });

  const deployFor = async (externalId: string) => {
    const customer =
      (await db.customer.findFirst({ where: { organizationId: org.id, externalId } })) ??
      (await db.customer.create({ data: { organizationId: org.id, externalId, name: externalId } }));
    const connection = await createConnection(scope, { customerId: customer.id, appKey: "erp", authType: "apiKey", credentials: { apiKey: "erp-demo-key" } });
    const instance = await deployInstance(scope, { customerId: customer.id, versionId: published.version.id, config: {}, connections: { erp: connection.id } });
    return { customer, connection, instance };
  };
  return { org, scope, version: published.version, apiKey: apiKey.key, deployFor };
}
