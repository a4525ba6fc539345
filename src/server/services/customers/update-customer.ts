import type { UpdateCustomerInput } from "../../routers/customers.schema";
import { getOwnedCustomerByExternalId } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { CUSTOMER_ITEM_INCLUDE, toCustomerItem, type CustomerItem } from "./customer-item";

export async function updateCustomer(
  scope: OrgScope,
  externalId: string,
  input: UpdateCustomerInput,
): Promise<CustomerItem> {
  const owned = await getOwnedCustomerByExternalId(scope, externalId);
  const row = await scope.db.customer.update({
    where: { id: owned.id },
    data: {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.labels !== undefined && { labels: input.labels }),
    },
    include: CUSTOMER_ITEM_INCLUDE,
  });
  return toCustomerItem(row);
}
