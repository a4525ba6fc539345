import { inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";

export type ApiKeyItem = {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

export function listApiKeys(scope: OrgScope): Promise<ApiKeyItem[]> {
  return scope.db.apiKey.findMany({
    where: inOrg(scope),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    // never the hash: it is as good as the key for lookups
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}
