import { getOwnedInstance } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";

export interface InstanceSetup {
  id: string;
  name: string;
  status: string;
  customer: { id: string; externalId: string; name: string | null };
  integration: { key: string; name: string };
  version: { id: string; number: number; status: string };
  config: Record<string, unknown>;
  /** Connection key → bound connection id (what dynamic config options are read through). */
  connections: Record<string, string>;
}

/** What the config wizard needs to edit one instance: its version, saved config and connection bindings. */
export async function getInstanceSetup(scope: OrgScope, instanceId: string): Promise<InstanceSetup> {
  const owned = await getOwnedInstance(scope, instanceId);
  const row = await scope.db.instance.findUniqueOrThrow({
    where: { id: owned.id },
    select: {
      id: true,
      name: true,
      status: true,
      config: true,
      customer: { select: { id: true, externalId: true, name: true } },
      integration: { select: { key: true, name: true } },
      version: { select: { id: true, number: true, status: true } },
      connections: { select: { key: true, connectionId: true } },
    },
  });
  const config = row.config && typeof row.config === "object" && !Array.isArray(row.config) ? (row.config as Record<string, unknown>) : {};
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    customer: row.customer,
    integration: row.integration,
    version: row.version,
    config,
    connections: Object.fromEntries(row.connections.map((c) => [c.key, c.connectionId])),
  };
}
