import type { Db } from "@/lib/db";
import type { Role } from "./roles";

/**
 * Who acts: a signed-in console member, the vendor's backend through an API key, or Portico
 * itself (seed, workers, schedulers).
 */
export type Actor =
  | { type: "user"; userId: string; role: Role }
  | { type: "apiKey"; apiKeyId: string }
  | { type: "system" };

/**
 * Everything a service may touch of one tenant. Services take this, never a request, so the
 * console (tRPC), the REST API, workers and tests call them alike; every query they make
 * filters by `organizationId` (see owned.ts for single rows).
 */
export type OrgScope = {
  db: Db;
  organizationId: string;
  actor: Actor;
};

/** The id written to audit rows for this actor. */
export function actorRef(actor: Actor): { actorType: Actor["type"]; actorId: string | null } {
  switch (actor.type) {
    case "user":
      return { actorType: "user", actorId: actor.userId };
    case "apiKey":
      return { actorType: "apiKey", actorId: actor.apiKeyId };
    case "system":
      return { actorType: "system", actorId: null };
  }
}
