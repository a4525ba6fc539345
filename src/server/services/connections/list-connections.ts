import { getOwnedCustomer, inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";

export interface ConnectionItem {
  id: string;
  appKey: string;
  appName: string | null;
  authType: string;
  label: string | null;
  status: string;
  statusReason: string | null;
  expiresAt: Date | null;
  createdAt: Date;
}

/** One customer's connections (never their secrets), optionally for one app; newest first. */
export async function listConnections(scope: OrgScope, input: { customerId: string; appKey?: string }): Promise<ConnectionItem[]> {
  const customer = await getOwnedCustomer(scope, input.customerId);
  const [rows, apps] = await Promise.all([
    scope.db.connection.findMany({
      where: { ...inOrg(scope), customerId: customer.id, ...(input.appKey ? { appKey: input.appKey } : {}) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      omit: { secret: true },
    }),
    scope.db.app.findMany({ where: inOrg(scope), select: { key: true, name: true } }),
  ]);
  const names = new Map(apps.map((a) => [a.key, a.name]));
  return rows.map((r) => ({
    id: r.id,
    appKey: r.appKey,
    appName: names.get(r.appKey) ?? null,
    authType: r.authType,
    label: r.label,
    status: r.status,
    statusReason: r.statusReason,
    expiresAt: r.expiresAt,
    createdAt: r.createdAt,
  }));
}
