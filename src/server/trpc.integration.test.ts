import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { encode } from "next-auth/jwt";
import { describe, expect } from "vitest";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";
import { dbTest } from "@/test/db-test";
import { createContextFromRequest } from "./context";
import { appRouter } from "./routers/_app";
import { contextFor, seedTenant } from "./testing/seed-tenant";

// Through the same fetch adapter the route uses, with a real next-auth session cookie: what the
// console's client sees on the wire (superjson envelope, error code, data.appCode).

async function sessionCookie(userId: string): Promise<string> {
  const token = await encode({ token: { sub: userId }, secret: env.NEXTAUTH_SECRET });
  return `next-auth.session-token=${token}`;
}

function call(db: Db, path: string, opts: { cookie?: string; input?: unknown; mutation?: boolean } = {}) {
  const url = new URL(`http://localhost/api/trpc/${path}`);
  if (!opts.mutation && opts.input !== undefined) url.searchParams.set("input", JSON.stringify({ json: opts.input }));
  const req = new Request(url, {
    method: opts.mutation ? "POST" : "GET",
    headers: { ...(opts.cookie && { cookie: opts.cookie }), "content-type": "application/json" },
    body: opts.mutation ? JSON.stringify({ json: opts.input }) : undefined,
  });
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createContextFromRequest(req, db),
    onError: () => {}, // expected errors in these tests; the route logs through the middleware
  });
}

type ErrorEnvelope = { error: { json: { message: string; data: { code: string; appCode: string; issues?: unknown[] } } } };

describe("tRPC over HTTP", () => {
  dbTest("a signed-in member reads the current organization from the session cookie", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const res = await call(db, "org.current", { cookie: await sessionCookie(a.users.SUPPORT.userId) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { data: { json: { id: string; role: string } } } };
    expect(body.result.data.json).toMatchObject({ id: a.organizationId, role: "SUPPORT" });
  });

  dbTest("without a session the answer is 401 with appCode UNAUTHENTICATED", async ({ db }) => {
    const res = await call(db, "executions.list", { input: {} });
    expect(res.status).toBe(401);
    const body = (await res.json()) as ErrorEnvelope;
    expect(body.error.json.data.appCode).toBe("UNAUTHENTICATED");
  });

  dbTest("a SUPPORT member cannot create an API key: 403 FORBIDDEN, and no key is made", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const res = await call(db, "apiKeys.create", {
      cookie: await sessionCookie(a.users.SUPPORT.userId),
      input: { name: "sneaky" },
      mutation: true,
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as ErrorEnvelope).error.json.data.appCode).toBe("FORBIDDEN");
    expect(await db.apiKey.count({ where: { organizationId: a.organizationId } })).toBe(1); // the seeded one
  });

  dbTest("invalid input is 400 with appCode BAD_INPUT and zod's issues", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const res = await call(db, "executions.list", {
      cookie: await sessionCookie(a.users.SUPPORT.userId),
      input: { limit: 1000, status: "NOPE" },
    });
    expect(res.status).toBe(400);
    const { data } = ((await res.json()) as ErrorEnvelope).error.json;
    expect(data.appCode).toBe("BAD_INPUT");
    expect(data.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ["limit"] }),
        expect.objectContaining({ path: ["status"] }),
      ]),
    );
  });

  dbTest("a user who belongs to no organization is told so (FORBIDDEN), not shown an empty console", async ({ db }) => {
    const user = await db.user.create({ data: { email: "lonely@example.test" } });
    const res = await call(db, "org.current", { cookie: await sessionCookie(user.id) });
    expect(res.status).toBe(403);
    const body = (await res.json()) as ErrorEnvelope;
    expect(body.error.json.data.appCode).toBe("FORBIDDEN");
    expect(body.error.json.message).toMatch(/invitation/);
  });
});

describe("roles", () => {
  dbTest("each procedure admits its minimum role and refuses the ones below with FORBIDDEN", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const as = (role: "OWNER" | "BUILDER" | "SUPPORT") => appRouter.createCaller(contextFor(db, a.users[role].userId));
    await expect(as("SUPPORT").executions.list({})).resolves.toBeDefined();
    await expect(as("SUPPORT").members.list()).resolves.toHaveLength(3);
    for (const role of ["SUPPORT", "BUILDER"] as const) {
      await expect(as(role).apiKeys.create({ name: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(as(role).apiKeys.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(as(role).members.invite({ email: "x@example.test", role: "SUPPORT" })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
    }
    await expect(as("OWNER").apiKeys.create({ name: "x" })).resolves.toMatchObject({ key: expect.stringMatching(/^pk_/) });
  });

  dbTest("the active-org cookie picks among the user's organizations", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const b = await seedTenant(db, "b");
    await db.member.create({ data: { organizationId: b.organizationId, userId: a.users.SUPPORT.userId, role: "BUILDER" } });
    const inB = await appRouter.createCaller(contextFor(db, a.users.SUPPORT.userId, b.organizationId)).org.current();
    expect(inB).toMatchObject({ id: b.organizationId, role: "BUILDER" });
    expect(inB.memberships.map((m) => m.organizationId).sort()).toEqual([a.organizationId, b.organizationId].sort());
    const byDefault = await appRouter.createCaller(contextFor(db, a.users.SUPPORT.userId)).org.current();
    expect(byDefault).toMatchObject({ id: a.organizationId, role: "SUPPORT" }); // the oldest membership
  });
});
