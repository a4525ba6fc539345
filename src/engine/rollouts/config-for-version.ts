import type { Db } from "@/lib/db";

/**
 * The config a run of `versionId` uses. Normally the instance's own; but a run queued before
 * the instance was upgraded still runs the old version's code (Execution.versionId is fixed at
 * ingest), and that code needs the config it knew: the one kept on the upgrade that left it.
 */
export async function configForVersion(
  db: Db,
  instance: { id: string; versionId: string; config: unknown },
  versionId: string,
): Promise<unknown> {
  if (instance.versionId === versionId) return instance.config;
  const upgrade = await db.instanceUpgrade.findFirst({
    where: { instanceId: instance.id, fromVersionId: versionId, status: "SUCCEEDED" },
    orderBy: { at: "desc" },
    select: { fromConfig: true },
  });
  return upgrade ? upgrade.fromConfig : instance.config;
}
