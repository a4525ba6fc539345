import type { RevokeApiKeyInput } from "../../routers/api-keys.schema";
import { getOwnedApiKey } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { recordAudit } from "../audit/record-audit";

/** Revoking is immediate (the next request with the key gets 401) and final; twice is not an error. */
export async function revokeApiKey(scope: OrgScope, input: RevokeApiKeyInput): Promise<{ id: string; revokedAt: Date }> {
  const key = await getOwnedApiKey(scope, input.id);
  if (key.revokedAt) return { id: key.id, revokedAt: key.revokedAt };
  return scope.db.$transaction(async (tx) => {
    const revoked = await tx.apiKey.update({
      where: { id: key.id },
      data: { revokedAt: new Date() },
      select: { id: true, revokedAt: true },
    });
    await recordAudit(scope, { action: "apiKey.revoked", targetType: "apiKey", targetId: key.id, data: { name: key.name } }, tx);
    return { id: revoked.id, revokedAt: revoked.revokedAt ?? new Date() };
  });
}
