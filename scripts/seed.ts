// Demo data, idempotent: a second run finds what the first made and changes nothing
// (the API key and embed key are kept in .portico/demo.json because only their hashes /
// public halves are stored in the database).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { exportPKCS8, exportSPKI, generateKeyPair } from "jose";
import { generateApiKey, hashApiKey } from "../src/lib/api-keys";
import { getDb } from "../src/lib/db";
import { hashPassword } from "../src/lib/passwords";
import { buildBundle } from "../src/engine/bundle/build-bundle";
import { publishUploadedBundle } from "../src/server/services/integrations/publish-uploaded-bundle";
import { deployInstance } from "../src/server/services/instances/deploy-instance";
import { createConnection } from "../src/server/services/connections/create-connection";
import type { OrgScope } from "../src/server/tenancy/scope";

export const DEMO_PASSWORD = "portico-demo-1";
const DEMO_USERS = [
  { email: "owner@demo.portico.dev", name: "Olivia Owner", role: "OWNER" },
  { email: "builder@demo.portico.dev", name: "Bao Builder", role: "BUILDER" },
  { email: "support@demo.portico.dev", name: "Sam Support", role: "SUPPORT" },
] as const;

export interface DemoFacts {
  organizationId: string;
  apiKey: string;
  embed: { kid: string; alg: "ES256"; privateKeyPem: string; publicKeyPem: string };
  customerExternalId: string;
  instanceId: string;
  webhookUrl: string;
  /** Contoso's instance of the same integration (for upgrade tests: the one left behind). */
  secondInstanceId: string;
  secondWebhookUrl: string;
  sandboxUrl: string;
  password: string;
  users: Array<{ email: string; role: string }>;
}

export async function seedDemo(opts: { dataDir: string; sandboxUrl: string; publicUrl: string }): Promise<DemoFacts> {
  const db = getDb();
  const file = path.join(opts.dataDir, "demo.json");
  const previous: Partial<DemoFacts> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};

  const org = await db.organization.upsert({
    where: { slug: "acme" },
    update: {},
    create: { name: "Acme Cloud", slug: "acme" },
  });
  const scope: OrgScope = { db, organizationId: org.id, actor: { type: "system" } };

  for (const u of DEMO_USERS) {
    const user =
      (await db.user.findUnique({ where: { email: u.email } })) ??
      (await db.user.create({ data: { email: u.email, name: u.name, passwordHash: await hashPassword(DEMO_PASSWORD) } }));
    await db.member.upsert({
      where: { organizationId_userId: { organizationId: org.id, userId: user.id } },
      update: {},
      create: { organizationId: org.id, userId: user.id, role: u.role },
    });
  }

  let apiKey = previous.apiKey;
  const liveKey = apiKey && (await db.apiKey.findFirst({ where: { hash: hashApiKey(apiKey), organizationId: org.id, revokedAt: null } }));
  if (!liveKey) {
    const generated = generateApiKey();
    await db.apiKey.create({ data: { organizationId: org.id, name: "Demo key", prefix: generated.prefix, hash: generated.hash } });
    apiKey = generated.key;
  }

  let embed = previous.embed;
  const liveEmbed = embed && (await db.embedKey.findFirst({ where: { organizationId: org.id, kid: embed.kid, revokedAt: null } }));
  if (!embed || !liveEmbed) {
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    embed = { kid: `demo-${Date.now().toString(36)}`, alg: "ES256", privateKeyPem: await exportPKCS8(privateKey), publicKeyPem: await exportSPKI(publicKey) };
    await db.embedKey.create({ data: { organizationId: org.id, name: "Demo vendor key", kid: embed.kid, alg: embed.alg, publicKeyPem: embed.publicKeyPem } });
  }

  const customer = await db.customer.upsert({
    where: { organizationId_externalId: { organizationId: org.id, externalId: "northwind" } },
    update: {},
    create: { organizationId: org.id, externalId: "northwind", name: "Northwind Traders", labels: ["beta"] },
  });

  // The sandbox port can change between starts: keep the apps' base URLs current.
  for (const app of [
    { key: "erp", name: "Acme ERP (sandbox)", baseUrl: opts.sandboxUrl, authType: "API_KEY" as const },
    { key: "acme-shop", name: "Acme Shop (sandbox)", baseUrl: opts.sandboxUrl, authType: "API_KEY" as const },
  ]) {
    await db.app.upsert({
      where: { organizationId_key: { organizationId: org.id, key: app.key } },
      update: { baseUrl: app.baseUrl },
      create: { organizationId: org.id, ...app },
    });
  }

  // Published through the same server-side path as `portico publish` (validated again there).
  const publish = async (dir: string, changelog: string) => {
    const bundle = await buildBundle(path.resolve(__dirname, "..", "integrations", dir, "index.ts"));
    const manifest = bundle.manifest as unknown as Record<string, unknown>;
    return publishUploadedBundle(scope, String(manifest.key), { code: bundle.code, sha256: bundle.sha256, manifest, changelog });
  };
  const { version } = await publish("orders-to-erp", "First version, published by the demo seed.");
  await publish("shop-sync", "First version, published by the demo seed.");

  // The sandbox shop takes a Bearer token: shop-sync declares an oauth2 connection.
  if (!(await db.connection.findFirst({ where: { organizationId: org.id, customerId: customer.id, appKey: "acme-shop" }, select: { id: true } })))
    await createConnection(scope, { customerId: customer.id, appKey: "acme-shop", authType: "OAUTH2", credentials: { accessToken: "shop-demo-token" } });

  const connection =
    (await db.connection.findFirst({ where: { organizationId: org.id, customerId: customer.id, appKey: "erp" }, select: { id: true } })) ??
    (await createConnection(scope, {
    customerId: customer.id,
    appKey: "erp",
    authType: "API_KEY",
    credentials: { apiKey: "erp-demo-key" },
  }));

  let instance = await db.instance.findFirst({
    where: { organizationId: org.id, customerId: customer.id, integrationId: version.integrationId, deletedAt: null },
  });
  instance ??= await deployInstance(scope, {
    customerId: customer.id,
    versionId: version.id,
    name: "Shop orders → ERP",
    config: { warehouse: "MAIN" },
    connections: { erp: connection.id },
  });
  const endpoint = await db.webhookEndpoint.findFirstOrThrow({ where: { instanceId: instance.id, flowKey: "onOrder" } });

  // A second customer on the same integration, so an upgrade or a canary has instances to leave behind.
  const contoso = await db.customer.upsert({
    where: { organizationId_externalId: { organizationId: org.id, externalId: "contoso" } },
    update: {},
    create: { organizationId: org.id, externalId: "contoso", name: "Contoso Ltd" },
  });
  const contosoConnection =
    (await db.connection.findFirst({ where: { organizationId: org.id, customerId: contoso.id, appKey: "erp" }, select: { id: true } })) ??
    (await createConnection(scope, { customerId: contoso.id, appKey: "erp", authType: "API_KEY", credentials: { apiKey: "erp-demo-key" } }));
  let second = await db.instance.findFirst({
    where: { organizationId: org.id, customerId: contoso.id, integrationId: version.integrationId, deletedAt: null },
  });
  second ??= await deployInstance(scope, {
    customerId: contoso.id,
    versionId: version.id,
    name: "Shop orders → ERP",
    config: { warehouse: "EAST" },
    connections: { erp: contosoConnection.id },
  });
  const secondEndpoint = await db.webhookEndpoint.findFirstOrThrow({ where: { instanceId: second.id, flowKey: "onOrder" } });

  const facts: DemoFacts = {
    organizationId: org.id,
    apiKey: apiKey!,
    embed,
    customerExternalId: customer.externalId,
    instanceId: instance.id,
    webhookUrl: `${opts.publicUrl}/api/hooks/${endpoint.token}`,
    secondInstanceId: second.id,
    secondWebhookUrl: `${opts.publicUrl}/api/hooks/${secondEndpoint.token}`,
    sandboxUrl: opts.sandboxUrl,
    password: DEMO_PASSWORD,
    users: DEMO_USERS.map((u) => ({ email: u.email, role: u.role })),
  };
  writeFileSync(file, JSON.stringify(facts, null, 2) + "\n", { mode: 0o600 });
  return facts;
}
