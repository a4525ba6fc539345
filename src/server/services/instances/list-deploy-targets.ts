import { inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";

export interface DeployTarget {
  integration: { id: string; key: string; name: string; description: string; category: string; icon: string | null };
  /** The newest published version (never a deprecated, draft or paused one). */
  version: { id: string; number: number; publishedAt: Date };
}

/** Integrations a member can deploy for a customer, each with the version a new instance gets. */
export async function listDeployTargets(scope: OrgScope): Promise<DeployTarget[]> {
  const rows = await scope.db.integration.findMany({
    where: inOrg(scope),
    orderBy: [{ name: "asc" }, { id: "asc" }],
    select: {
      id: true,
      key: true,
      name: true,
      description: true,
      category: true,
      icon: true,
      versions: {
        where: { status: "PUBLISHED", paused: false },
        orderBy: { number: "desc" },
        take: 1,
        select: { id: true, number: true, createdAt: true },
      },
    },
  });
  return rows.flatMap(({ versions, ...integration }) => {
    const v = versions[0];
    return v ? [{ integration, version: { id: v.id, number: v.number, publishedAt: v.createdAt } }] : [];
  });
}
