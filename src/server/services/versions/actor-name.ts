import type { OrgScope } from "../../tenancy/scope";

/** Who acts, in words for status reasons and the console: a member's email, an API key's name, or "Portico". */
export async function actorName(scope: OrgScope): Promise<string> {
  const actor = scope.actor;
  switch (actor.type) {
    case "user": {
      const user = await scope.db.user.findUnique({ where: { id: actor.userId }, select: { email: true } });
      return user?.email ?? "a member";
    }
    case "apiKey": {
      const key = await scope.db.apiKey.findFirst({ where: { id: actor.apiKeyId, organizationId: scope.organizationId }, select: { name: true } });
      return key ? `API key "${key.name}"` : "an API key";
    }
    case "system":
      return "Portico";
  }
}
