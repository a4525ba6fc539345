import { describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { seedTenant } from "../../testing/seed-tenant";
import { linkOidcUser } from "./link-oidc-user";

describe("OIDC sign-in", () => {
  dbTest("a verified email links to the existing user with that email", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const linked = await linkOidcUser(db, { email: a.users.BUILDER.email.toUpperCase(), email_verified: true, name: "B" });
    expect(linked).toEqual({ id: a.users.BUILDER.userId });
  });

  dbTest("an unverified or missing email links nothing and creates nothing", async ({ db }) => {
    const a = await seedTenant(db, "a");
    expect(await linkOidcUser(db, { email: a.users.OWNER.email, email_verified: false })).toBeNull();
    expect(await linkOidcUser(db, { email: "new@example.test" })).toBeNull();
    expect(await linkOidcUser(db, { email_verified: true })).toBeNull();
    expect(await db.user.count({ where: { email: "new@example.test" } })).toBe(0);
  });

  dbTest("a new verified email becomes a user without an organization", async ({ db }) => {
    const linked = await linkOidcUser(db, { email: "sso@example.test", email_verified: "true", name: "Sso" });
    const user = await db.user.findUniqueOrThrow({ where: { id: linked!.id }, include: { memberships: true } });
    expect(user).toMatchObject({ email: "sso@example.test", passwordHash: null, memberships: [] });
  });
});
