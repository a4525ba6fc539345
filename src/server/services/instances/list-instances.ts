import { getOwnedCustomer, inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { INSTANCE_ITEM_INCLUDE, toInstanceListItem, type InstanceListItem } from "./instance-item";

/** Instances that are not deleted, newest first; optionally one customer's. */
export async function listInstances(scope: OrgScope, filters: { customerId?: string } = {}): Promise<InstanceListItem[]> {
  if (filters.customerId) await getOwnedCustomer(scope, filters.customerId);
  const rows = await scope.db.instance.findMany({
    where: { ...inOrg(scope), deletedAt: null, ...(filters.customerId && { customerId: filters.customerId }) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    include: INSTANCE_ITEM_INCLUDE,
  });
  return rows.map(toInstanceListItem);
}
