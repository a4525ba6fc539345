import { Prisma } from "@/lib/db";

/** A unique index said no (Prisma P2002): e.g. a repeated idempotency key. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}
