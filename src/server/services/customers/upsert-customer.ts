import type { UpsertCustomerInput } from "../../routers/customers.schema";
import type { OrgScope } from "../../tenancy/scope";
import { CUSTOMER_ITEM_INCLUDE, toCustomerItem, type CustomerItem } from "./customer-item";

/**
 * Creates the customer or updates the one with this externalId (the vendor's backend can call
 * it on every login without checking first). A deleted customer comes back to life: the
 * (organizationId, externalId) pair is unique, so it cannot be created twice.
 */
export async function upsertCustomer(
  scope: OrgScope,
  input: UpsertCustomerInput,
): Promise<{ customer: CustomerItem; created: boolean }> {
  const key = { organizationId_externalId: { organizationId: scope.organizationId, externalId: input.externalId } };
  const before = await scope.db.customer.findUnique({ where: key, select: { id: true, deletedAt: true } });
  const row = await scope.db.customer.upsert({
    where: key,
    create: {
      organizationId: scope.organizationId,
      externalId: input.externalId,
      name: input.name ?? null,
      labels: input.labels ?? [],
    },
    update: {
      deletedAt: null,
      ...(input.name !== undefined && { name: input.name }),
      ...(input.labels !== undefined && { labels: input.labels }),
    },
    include: CUSTOMER_ITEM_INCLUDE,
  });
  return { customer: toCustomerItem(row), created: !before || before.deletedAt !== null };
}
