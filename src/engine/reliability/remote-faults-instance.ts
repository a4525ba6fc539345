// Test support: the remote-faults test integration deployed beside orders-to-erp for the same
// customer and ERP connection (see test-integrations/remote-faults.ts).
import path from "node:path";
import type { Db } from "@/lib/db";
import { deployInstance } from "@/server/services/instances/deploy-instance";
import { publishVersion } from "@/server/services/integrations/publish-version";
import { buildBundle, type BuiltBundle } from "../bundle/build-bundle";
import { seedOrdersInstance } from "../testing/walking-skeleton";

let bundle: Promise<BuiltBundle> | undefined;
const buildRemoteFaultsBundle = () => (bundle ??= buildBundle(path.join(__dirname, "test-integrations/remote-faults.ts")));

export type RemoteFaultsSeed = Awaited<ReturnType<typeof seedOrdersInstance>> & {
  /** Webhook token per remote-faults flow: burst, fetchWarehouses, probe. */
  tokens: Record<string, string>;
};

export async function seedRemoteFaultsInstance(db: Db, opts: { sandboxUrl: string }): Promise<RemoteFaultsSeed> {
  const orders = await seedOrdersInstance(db, opts);
  const published = await publishVersion(orders.scope, { bundle: await buildRemoteFaultsBundle(), changelog: "test" });
  const faults = await deployInstance(orders.scope, {
    customerId: orders.customer.id,
    versionId: published.version.id,
    config: {},
    connections: { erp: orders.connection.id },
  });
  return { ...orders, tokens: Object.fromEntries(faults.webhooks.map((w) => [w.flowKey, w.token])) };
}
