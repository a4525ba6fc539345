import type { Prisma } from "@/generated/prisma/client";
import { actorRef, type OrgScope } from "../../tenancy/scope";

export type AuditEntry = {
  action: string; // "<noun>.<past verb>", e.g. "apiKey.created"
  targetType?: string;
  targetId?: string;
  data?: Prisma.InputJsonValue;
};

/**
 * Appends to the organization's audit log. Pass the transaction client when the change is made
 * in one, so the change and its record commit together.
 */
export async function recordAudit(
  scope: OrgScope,
  entry: AuditEntry,
  db: Pick<OrgScope["db"], "auditLog"> = scope.db,
): Promise<void> {
  await db.auditLog.create({
    data: { organizationId: scope.organizationId, ...actorRef(scope.actor), ...entry },
  });
}
