import type { ExecutionStatus, Prisma } from "@/generated/prisma/client";
import { getOwnedCustomer, getOwnedInstance, inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { decodeCursor, encodeCursor } from "./execution-cursor";
import { EXECUTION_ITEM_INCLUDE, toExecutionListItem, type ExecutionListItem } from "./execution-item";

export type ExecutionFilters = {
  status?: ExecutionStatus;
  instanceId?: string;
  customerId?: string;
  reference?: string;
  /** runs queued at or after this time */
  since?: Date;
  cursor?: string;
  limit?: number;
};

export async function listExecutions(
  scope: OrgScope,
  filters: ExecutionFilters,
): Promise<{ items: ExecutionListItem[]; nextCursor: string | null }> {
  const limit = filters.limit ?? 50;
  // A filter naming another org's instance or customer is NOT_FOUND like any other foreign id,
  // not an empty page that would quietly look like "no runs".
  if (filters.instanceId) await getOwnedInstance(scope, filters.instanceId);
  if (filters.customerId) await getOwnedCustomer(scope, filters.customerId);

  const where: Prisma.ExecutionWhereInput = {
    ...inOrg(scope),
    ...(filters.status && { status: filters.status }),
    ...(filters.instanceId && { instanceId: filters.instanceId }),
    ...(filters.customerId && { customerId: filters.customerId }),
    ...(filters.reference && { reference: filters.reference }),
    ...(filters.since && { queuedAt: { gte: filters.since } }),
  };
  if (filters.cursor) {
    const after = decodeCursor(filters.cursor);
    where.AND = [
      { OR: [{ queuedAt: { lt: after.queuedAt } }, { queuedAt: after.queuedAt, id: { lt: after.id } }] },
    ];
  }
  const rows = await scope.db.execution.findMany({
    where,
    orderBy: [{ queuedAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    include: EXECUTION_ITEM_INCLUDE,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toExecutionListItem),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}
