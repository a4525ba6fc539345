import type { Prisma } from "@/generated/prisma/client";

/**
 * Locks the organization's OWNER rows for the rest of the transaction and returns their ids.
 * Two owners demoting each other at the same moment would each see another owner left and
 * both succeed; with the rows locked the second waits, then sees one owner and is refused.
 */
export async function lockOwners(tx: Prisma.TransactionClient, organizationId: string): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Member" WHERE "organizationId" = ${organizationId} AND role = 'OWNER' FOR UPDATE`;
  return rows.map((r) => r.id);
}
