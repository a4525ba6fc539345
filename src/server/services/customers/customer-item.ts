export type CustomerItem = {
  id: string;
  externalId: string;
  name: string | null;
  labels: string[];
  /** instances not deleted */
  instanceCount: number;
  createdAt: Date;
  updatedAt: Date;
};

export const CUSTOMER_ITEM_INCLUDE = {
  _count: { select: { instances: { where: { deletedAt: null } } } },
} as const;

export function toCustomerItem(row: Omit<CustomerItem, "instanceCount"> & { _count: { instances: number } }): CustomerItem {
  return {
    id: row.id,
    externalId: row.externalId,
    name: row.name,
    labels: row.labels,
    instanceCount: row._count.instances,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
