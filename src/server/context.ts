import { randomUUID } from "node:crypto";
import { getDb, type Db } from "@/lib/db";
import { readSessionUserId } from "./auth/session";
import { parseCookies } from "./http/cookies";

/** The cookie that picks the active organization for members of several (see resolve-membership.ts). */
export const ACTIVE_ORG_COOKIE = "portico-org";

export type Context = {
  db: Db;
  /** The signed-in user, or null: procedures that need one check it (orgProcedure). */
  userId: string | null;
  /** The organization the user asked for; honoured only if the user is a member of it. */
  activeOrgId: string | null;
  requestId: string;
};

export function createContext(input: {
  db?: Db;
  userId: string | null;
  activeOrgId?: string | null;
  requestId?: string;
}): Context {
  return {
    db: input.db ?? getDb(),
    userId: input.userId,
    activeOrgId: input.activeOrgId ?? null,
    requestId: input.requestId ?? randomUUID(),
  };
}

/** The context of a console request: the next-auth session cookie and the active-org cookie. */
export async function createContextFromRequest(req: Request, db?: Db): Promise<Context> {
  const cookies = parseCookies(req.headers.get("cookie"));
  return createContext({
    db,
    userId: await readSessionUserId(req.headers, cookies),
    activeOrgId: cookies[ACTIVE_ORG_COOKIE] ?? null,
    requestId: req.headers.get("x-request-id") ?? undefined,
  });
}
