import { inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";

export type IntegrationListItem = {
  id: string;
  key: string;
  name: string;
  description: string;
  category: string;
  /** the highest published version number, or null before the first publish */
  latestVersion: number | null;
  /** instances not deleted */
  instanceCount: number;
  createdAt: Date;
};

export async function listIntegrations(scope: OrgScope): Promise<IntegrationListItem[]> {
  const rows = await scope.db.integration.findMany({
    where: inOrg(scope),
    orderBy: [{ name: "asc" }, { id: "asc" }],
    include: {
      versions: { where: { status: "PUBLISHED" }, orderBy: { number: "desc" }, take: 1, select: { number: true } },
      _count: { select: { instances: { where: { deletedAt: null } } } },
    },
  });
  return rows.map((r) => ({
    id: r.id,
    key: r.key,
    name: r.name,
    description: r.description,
    category: r.category,
    latestVersion: r.versions[0]?.number ?? null,
    instanceCount: r._count.instances,
    createdAt: r.createdAt,
  }));
}
