import { getOwnedCustomerByExternalId } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { recordAudit } from "../audit/record-audit";
import { syncInstanceSchedules } from "../executions/sync-instance-schedules";

/**
 * Soft-deletes the customer and its instances: run history stays readable for support, webhooks
 * of its instances stop being accepted (ingest refuses DELETED instances). Connections keep
 * their encrypted secrets until retention removes them.
 */
export async function deleteCustomer(scope: OrgScope, externalId: string): Promise<void> {
  const owned = await getOwnedCustomerByExternalId(scope, externalId);
  const now = new Date();
  const instances = await scope.db.instance.findMany({ where: { customerId: owned.id, organizationId: scope.organizationId, deletedAt: null }, select: { id: true } });
  await scope.db.$transaction(async (tx) => {
    await tx.instance.updateMany({
      where: { customerId: owned.id, organizationId: scope.organizationId, deletedAt: null },
      data: { status: "DELETED", statusReason: "customer deleted", deletedAt: now },
    });
    await tx.customer.update({ where: { id: owned.id }, data: { deletedAt: now } });
    await recordAudit(scope, { action: "customer.deleted", targetType: "customer", targetId: owned.id, data: { externalId } }, tx);
  });
  await syncInstanceSchedules(scope.db, instances.map((i) => i.id));
}
