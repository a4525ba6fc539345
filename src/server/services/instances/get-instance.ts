import { getOwnedInstance } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { INSTANCE_ITEM_INCLUDE, toInstanceListItem, type InstanceListItem } from "./instance-item";

export type InstanceDetail = InstanceListItem & { config: unknown; updatedAt: Date };

export async function getInstance(scope: OrgScope, id: string): Promise<InstanceDetail> {
  const owned = await getOwnedInstance(scope, id);
  const row = await scope.db.instance.findUniqueOrThrow({ where: { id: owned.id }, include: INSTANCE_ITEM_INCLUDE });
  return { ...toInstanceListItem(row), config: row.config, updatedAt: row.updatedAt };
}
