import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { AppError, ERROR_HTTP, type ErrorCode } from "@/lib/errors";
import { createLogger } from "@/lib/logger";
import type { Context } from "./context";
import { resolveMembership } from "./tenancy/resolve-membership";
import { hasRole, type Role } from "./tenancy/roles";
import type { OrgScope } from "./tenancy/scope";

const log = createLogger("trpc");

type Issue = { path: PropertyKey[]; message: string; code?: string };

/** Validation failures (zod, or any standard-schema parser) carry an `issues` array. */
function issuesOf(cause: unknown): Issue[] | undefined {
  if (!cause || typeof cause !== "object" || !("issues" in cause) || !Array.isArray(cause.issues)) return undefined;
  return (cause.issues as Array<Record<string, unknown>>).map((i) => ({
    path: Array.isArray(i.path) ? (i.path as PropertyKey[]).map((p) => (typeof p === "symbol" ? String(p) : p)) : [],
    message: String(i.message ?? "invalid"),
    ...(typeof i.code === "string" ? { code: i.code } : {}),
  }));
}

// tRPC's own codes (a procedure that does not exist, a bad batch...) map back to ours so the UI
// always gets an `appCode` to branch on.
const FROM_TRPC: Partial<Record<TRPCError["code"], ErrorCode>> = Object.fromEntries(
  Object.entries(ERROR_HTTP).map(([code, { trpc }]) => [trpc, code as ErrorCode]),
);

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const issues = error.code === "BAD_REQUEST" ? issuesOf(cause) : undefined;
    const appCode: ErrorCode =
      cause instanceof AppError ? cause.code : issues ? "BAD_INPUT" : (FROM_TRPC[error.code] ?? "INTERNAL");
    // An unexpected error's message may hold internals (SQL, paths): the UI gets a fixed one, the log the rest.
    const message = appCode === "INTERNAL" ? "Internal error" : shape.message;
    // Stacks stay in the server log (the appErrors middleware logs internal errors), even in dev.
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      message,
      data: {
        ...data,
        appCode,
        ...(cause instanceof AppError && cause.details ? { details: cause.details } : {}),
        ...(issues ? { issues } : {}),
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * AppError → TRPCError with the mapped code. `next()` resolves to `{ ok: false, error }` instead
 * of throwing, so the result is inspected; a try/catch around it would never fire.
 */
const appErrors = t.middleware(async ({ ctx, path, type, next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof AppError) {
    throw new TRPCError({ code: ERROR_HTTP[cause.code].trpc, message: cause.message, cause });
  }
  if (result.error.code === "INTERNAL_SERVER_ERROR") {
    log.error({ err: cause ?? result.error, path, type, requestId: ctx.requestId }, "procedure failed");
  }
  return result;
});

export const publicProcedure = t.procedure.use(appErrors);

/** Signed in, no organization needed. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.userId) throw new AppError("UNAUTHENTICATED", "Sign in first.");
  return next({ ctx: { userId: ctx.userId } });
});

function buildOrgProcedure(minRole: Role) {
  return authedProcedure.use(async ({ ctx, next }) => {
    const membership = await resolveMembership(ctx.db, ctx.userId, ctx.activeOrgId);
    if (!hasRole(membership.role, minRole)) {
      throw new AppError("FORBIDDEN", `This needs the ${minRole} role or higher; you are ${membership.role}.`);
    }
    const scope: OrgScope = {
      db: ctx.db,
      organizationId: membership.organizationId,
      actor: { type: "user", userId: ctx.userId, role: membership.role },
    };
    return next({ ctx: { scope, membership } });
  });
}

const orgProcedures = {
  SUPPORT: buildOrgProcedure("SUPPORT"),
  BUILDER: buildOrgProcedure("BUILDER"),
  OWNER: buildOrgProcedure("OWNER"),
} as const;

/** A procedure for members of the active organization holding at least `minRole`; ctx gets `scope`. */
export function orgProcedure(minRole: Role) {
  return orgProcedures[minRole];
}
