import { describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { appRouter } from "../../routers/_app";
import { createContext } from "../../context";
import { verifyCredentials } from "./verify-credentials";

const anonymous = (db: Parameters<typeof createContext>[0]["db"]) => appRouter.createCaller(createContext({ db, userId: null }));

describe("sign-up", () => {
  dbTest("creates the user, an organization and makes the user its OWNER", async ({ db }) => {
    const result = await anonymous(db).auth.signUp({
      name: "Ada",
      email: "Ada@Example.test ",
      password: "a long enough password",
      organizationName: "Ada's Widgets",
    });
    expect(result).toEqual({ ok: true });
    const user = await db.user.findUniqueOrThrow({ where: { email: "ada@example.test" }, include: { memberships: { include: { organization: true } } } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.memberships).toHaveLength(1);
    expect(user.memberships[0]).toMatchObject({ role: "OWNER", organization: { name: "Ada's Widgets", slug: "ada-s-widgets" } });
    // and can sign in with it
    expect(await verifyCredentials(db, "ada@example.test", "a long enough password")).toMatchObject({ id: user.id });
    expect(await verifyCredentials(db, "ada@example.test", "the wrong password")).toBeNull();
    expect(await verifyCredentials(db, "nobody@example.test", "a long enough password")).toBeNull();
  });

  dbTest("a second organization with the same name gets its own slug", async ({ db }) => {
    const caller = anonymous(db);
    await caller.auth.signUp({ name: "A", email: "a@example.test", password: "password-123", organizationName: "Acme" });
    await caller.auth.signUp({ name: "B", email: "b@example.test", password: "password-123", organizationName: "ACME!" });
    const slugs = (await db.organization.findMany({ orderBy: { createdAt: "asc" } })).map((o) => o.slug);
    expect(slugs).toEqual(["acme", "acme-2"]);
  });

  dbTest("an email that already has an account is a CONFLICT and creates nothing", async ({ db }) => {
    const caller = anonymous(db);
    await caller.auth.signUp({ name: "A", email: "a@example.test", password: "password-123", organizationName: "One" });
    await expect(
      caller.auth.signUp({ name: "A", email: "A@example.test", password: "password-456", organizationName: "Two" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await db.organization.count()).toBe(1);
  });

  dbTest("two sign-ups with the same email at once: one account, the other is a CONFLICT", async ({ db }) => {
    const caller = anonymous(db);
    const attempt = (org: string) =>
      caller.auth.signUp({ name: "A", email: "same@example.test", password: "password-123", organizationName: org });
    const results = await Promise.allSettled([attempt("One"), attempt("Two")]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: { code: "CONFLICT" } });
    expect(await db.user.count()).toBe(1);
    expect(await db.organization.count()).toBe(1);
  });

  dbTest("a short password is refused as bad input", async ({ db }) => {
    await expect(
      anonymous(db).auth.signUp({ name: "A", email: "a@example.test", password: "short", organizationName: "One" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
