import { generateApiKey } from "@/lib/api-keys";
import type { CreateApiKeyInput } from "../../routers/api-keys.schema";
import type { OrgScope } from "../../tenancy/scope";
import { recordAudit } from "../audit/record-audit";

/** The plaintext key is returned here once and never stored; only its SHA-256 is. */
export async function createApiKey(scope: OrgScope, input: CreateApiKeyInput): Promise<{ id: string; key: string }> {
  const { key, prefix, hash } = generateApiKey();
  const row = await scope.db.$transaction(async (tx) => {
    const created = await tx.apiKey.create({
      data: {
        organizationId: scope.organizationId,
        name: input.name,
        prefix,
        hash,
        createdById: scope.actor.type === "user" ? scope.actor.userId : null,
      },
      select: { id: true },
    });
    await recordAudit(
      scope,
      { action: "apiKey.created", targetType: "apiKey", targetId: created.id, data: { name: input.name, prefix } },
      tx,
    );
    return created;
  });
  return { id: row.id, key };
}
