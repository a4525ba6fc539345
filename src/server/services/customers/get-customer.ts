import { getOwnedCustomerByExternalId } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { CUSTOMER_ITEM_INCLUDE, toCustomerItem, type CustomerItem } from "./customer-item";

export async function getCustomerByExternalId(scope: OrgScope, externalId: string): Promise<CustomerItem> {
  const owned = await getOwnedCustomerByExternalId(scope, externalId);
  const row = await scope.db.customer.findUniqueOrThrow({ where: { id: owned.id }, include: CUSTOMER_ITEM_INCLUDE });
  return toCustomerItem(row);
}
