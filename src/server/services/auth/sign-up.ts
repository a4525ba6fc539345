import type { Db } from "@/lib/db";
import { Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { hashPassword } from "@/lib/passwords";
import type { SignUpInput } from "../../routers/auth.schema";
import { firstFreeSlug, slugify } from "./organization-slug";

function isUniqueViolation(err: unknown, field: string): boolean {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError) || err.code !== "P2002") return false;
  return JSON.stringify(err.meta ?? {}).includes(field);
}

/**
 * A new person with a new organization: User + Organization + Member(OWNER) in one
 * transaction, so there is never a user without the org it signed up for.
 */
export async function signUp(deps: { db: Db }, input: SignUpInput): Promise<{ userId: string; organizationId: string }> {
  const { db } = deps;
  if (await db.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
    throw new AppError("CONFLICT", "An account with this email already exists: sign in instead.");
  }
  const passwordHash = await hashPassword(input.password);
  const base = slugify(input.organizationName);

  // Two sign-ups may pick the same free slug at once; the unique index decides and the loser
  // tries again with the slug now taken.
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.$transaction(async (tx) => {
        const taken = await tx.organization.findMany({
          where: { slug: { startsWith: base } },
          select: { slug: true },
        });
        const slug = firstFreeSlug(base, new Set(taken.map((o) => o.slug)));
        const user = await tx.user.create({ data: { email: input.email, name: input.name, passwordHash } });
        const org = await tx.organization.create({ data: { name: input.organizationName, slug } });
        await tx.member.create({ data: { organizationId: org.id, userId: user.id, role: "OWNER" } });
        await tx.auditLog.create({
          data: { organizationId: org.id, actorType: "user", actorId: user.id, action: "organization.created" },
        });
        return { userId: user.id, organizationId: org.id };
      });
    } catch (err) {
      if (isUniqueViolation(err, "email")) {
        throw new AppError("CONFLICT", "An account with this email already exists: sign in instead.");
      }
      if (isUniqueViolation(err, "slug") && attempt < 3) continue;
      throw err;
    }
  }
}
