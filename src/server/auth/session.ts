import { getServerSession, type Session } from "next-auth";
import { getToken } from "next-auth/jwt";
import { env } from "@/lib/env";
import { authOptions } from "./options";

/** The session in server components and route handlers (reads cookies through next/headers). */
export function getSession(): Promise<Session | null> {
  return getServerSession(authOptions);
}

/**
 * The user id in a request's session cookie, without next/headers (so the tRPC context can be
 * built from any Request). next-auth names the cookie `__Secure-…` when the site is https.
 */
export async function readSessionUserId(headers: Headers, cookies: Record<string, string>): Promise<string | null> {
  const token = await getToken({
    req: { headers: Object.fromEntries(headers), cookies } as unknown as Parameters<typeof getToken>[0]["req"],
    secret: env.NEXTAUTH_SECRET,
    secureCookie: env.PUBLIC_URL.startsWith("https://"),
  });
  return typeof token?.sub === "string" ? token.sub : null;
}
