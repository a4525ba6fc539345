import { inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { CUSTOMER_ITEM_INCLUDE, toCustomerItem, type CustomerItem } from "./customer-item";

export async function listCustomers(scope: OrgScope): Promise<CustomerItem[]> {
  const rows = await scope.db.customer.findMany({
    where: { ...inOrg(scope), deletedAt: null },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    include: CUSTOMER_ITEM_INCLUDE,
  });
  return rows.map(toCustomerItem);
}
