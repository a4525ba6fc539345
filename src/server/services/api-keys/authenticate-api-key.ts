import { hashApiKey, API_KEY_PREFIX } from "@/lib/api-keys";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { OrgScope } from "../../tenancy/scope";

// lastUsedAt is for people ("used 2 minutes ago"), so it is written at most once a minute per
// key rather than on every request of a busy backend.
const LAST_USED_RESOLUTION_MS = 60_000;

/** `Authorization: Bearer pk_…` → the key's organization scope; anything else is UNAUTHENTICATED. */
export async function authenticateApiKey(db: Db, authorization: string | null): Promise<OrgScope> {
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  const key = match?.[1];
  if (!key || !key.startsWith(API_KEY_PREFIX)) {
    throw new AppError("UNAUTHENTICATED", "Send an API key as `Authorization: Bearer pk_…`.");
  }
  const row = await db.apiKey.findUnique({
    where: { hash: hashApiKey(key) },
    select: { id: true, organizationId: true, revokedAt: true, lastUsedAt: true },
  });
  if (!row || row.revokedAt) throw new AppError("UNAUTHENTICATED", "This API key is invalid or has been revoked.");

  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { db, organizationId: row.organizationId, actor: { type: "apiKey", apiKeyId: row.id } };
}
