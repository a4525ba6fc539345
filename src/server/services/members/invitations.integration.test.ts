import { describe, expect } from "vitest";
import type { Db } from "@/lib/db";
import { dbTest } from "@/test/db-test";
import { createContext } from "../../context";
import { appRouter } from "../../routers/_app";
import { contextFor, seedTenant, TEST_PASSWORD } from "../../testing/seed-tenant";
import { verifyCredentials } from "../auth/verify-credentials";

const anonymous = (db: Db) => appRouter.createCaller(createContext({ db, userId: null }));
const tokenOf = (inviteUrl: string) => new URL(inviteUrl).pathname.split("/").pop()!;

describe("invitations", () => {
  dbTest("an owner invites an email with a role; the invitee accepts and signs in as that role", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const owner = appRouter.createCaller(contextFor(db, a.users.OWNER.userId));
    const { inviteUrl } = await owner.members.invite({ email: "New.Person@example.test", role: "BUILDER" });
    expect(inviteUrl).toMatch(/^http:\/\/localhost:\d+\/invite\/[\w-]{40,}$/);
    const token = tokenOf(inviteUrl);
    // Only the hash is stored.
    expect(await db.invitation.count({ where: { tokenHash: token } })).toBe(0);

    expect(await anonymous(db).auth.inviteInfo({ token })).toEqual({
      organizationName: "Org a",
      email: "new.person@example.test",
      role: "BUILDER",
    });
    expect(await anonymous(db).auth.acceptInvite({ token, name: "New Person", password: "new-password-1" })).toEqual({
      email: "new.person@example.test",
    });
    const user = await verifyCredentials(db, "new.person@example.test", "new-password-1");
    expect(user).not.toBeNull();
    const me = await appRouter.createCaller(contextFor(db, user!.id)).org.current();
    expect(me).toMatchObject({ id: a.organizationId, role: "BUILDER" });
    const audit = await db.auditLog.findMany({ where: { organizationId: a.organizationId }, orderBy: { at: "asc" } });
    expect(audit.map((e) => e.action)).toEqual(["member.invited", "member.joined"]);
  });

  dbTest("a used, expired or unknown invitation is NOT_FOUND", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const caller = anonymous(db);
    await caller.auth.acceptInvite({ token: a.invitation.token, name: "X", password: "password-123" });
    await expect(caller.auth.acceptInvite({ token: a.invitation.token, name: "X", password: "password-123" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(caller.auth.inviteInfo({ token: a.invitation.token })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(caller.auth.inviteInfo({ token: "x".repeat(43) })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const owner = appRouter.createCaller(contextFor(db, a.users.OWNER.userId));
    const { inviteUrl } = await owner.members.invite({ email: "late@example.test", role: "SUPPORT" });
    await db.invitation.updateMany({ where: { email: "late@example.test" }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(caller.auth.inviteInfo({ token: tokenOf(inviteUrl) })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  dbTest("an existing account joins only with its own password, which stays unchanged", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const b = await seedTenant(db, "b");
    const ownerB = appRouter.createCaller(contextFor(db, b.users.OWNER.userId));
    const { inviteUrl } = await ownerB.members.invite({ email: a.users.SUPPORT.email, role: "SUPPORT" });
    const token = tokenOf(inviteUrl);
    await expect(anonymous(db).auth.acceptInvite({ token, name: "X", password: "attacker-chosen" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    await anonymous(db).auth.acceptInvite({ token, name: "X", password: TEST_PASSWORD });
    expect(await verifyCredentials(db, a.users.SUPPORT.email, TEST_PASSWORD)).not.toBeNull();
    expect(await db.member.count({ where: { userId: a.users.SUPPORT.userId } })).toBe(2);
  });

  dbTest("inviting someone who is already a member is a CONFLICT", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const owner = appRouter.createCaller(contextFor(db, a.users.OWNER.userId));
    await expect(owner.members.invite({ email: a.users.BUILDER.email, role: "OWNER" })).rejects.toMatchObject({ code: "CONFLICT" });
  });
});

describe("open invitations", () => {
  dbTest("an owner sees the open invitations and revokes one; its link then answers NOT_FOUND", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const owner = appRouter.createCaller(contextFor(db, a.users.OWNER.userId));
    const { inviteUrl } = await owner.members.invite({ email: "pending@example.test", role: "SUPPORT" });
    const token = tokenOf(inviteUrl);
    // The seeded tenant's own invitation was already accepted by nobody: both are listed, newest first.
    const open = await owner.members.invitations();
    expect(open[0]).toMatchObject({ email: "pending@example.test", role: "SUPPORT", expired: false });
    const pending = open[0]!;
    expect(open.map((i) => i.id)).toContain(a.invitation.id);
    expect(JSON.stringify(open)).not.toContain(token);

    await owner.members.revokeInvitation({ invitationId: pending.id });
    expect((await owner.members.invitations()).map((i) => i.id)).not.toContain(pending.id);
    await expect(anonymous(db).auth.inviteInfo({ token })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(owner.members.revokeInvitation({ invitationId: pending.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const audit = await db.auditLog.findFirstOrThrow({ where: { organizationId: a.organizationId, action: "member.invitation_revoked" } });
    expect(audit).toMatchObject({ targetId: pending.id });

    // Only owners manage invitations.
    const builder = appRouter.createCaller(contextFor(db, a.users.BUILDER.userId));
    await expect(builder.members.invitations()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(builder.members.revokeInvitation({ invitationId: a.invitation.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("member roles", () => {
  dbTest("the last owner can be neither demoted nor removed", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const owner = appRouter.createCaller(contextFor(db, a.users.OWNER.userId));
    await expect(owner.members.updateRole({ memberId: a.users.OWNER.memberId, role: "BUILDER" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(owner.members.remove({ memberId: a.users.OWNER.memberId })).rejects.toMatchObject({ code: "CONFLICT" });

    // With a second owner, the first may step down.
    await owner.members.updateRole({ memberId: a.users.BUILDER.memberId, role: "OWNER" });
    await owner.members.updateRole({ memberId: a.users.OWNER.memberId, role: "SUPPORT" });
    expect((await db.member.findUniqueOrThrow({ where: { id: a.users.OWNER.memberId } })).role).toBe("SUPPORT");
  });

  dbTest("removing a member takes away their access and is audited", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const owner = appRouter.createCaller(contextFor(db, a.users.OWNER.userId));
    await owner.members.remove({ memberId: a.users.SUPPORT.memberId });
    await expect(appRouter.createCaller(contextFor(db, a.users.SUPPORT.userId)).org.current()).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const audit = await db.auditLog.findFirstOrThrow({ where: { organizationId: a.organizationId, action: "member.removed" } });
    expect(audit).toMatchObject({ actorType: "user", actorId: a.users.OWNER.userId, targetId: a.users.SUPPORT.memberId });
  });
});
