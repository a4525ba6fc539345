import { Manifest } from "@/engine/bundle/manifest";
import { MAX_BUNDLE_BYTES } from "@/engine/bundle/build-bundle";
import { sha256Hex } from "@/engine/bundle/load-bundle";
import type { Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { isUniqueViolation } from "@/engine/db-errors";
import { recordAudit } from "../audit/record-audit";
import { actorRef, type OrgScope } from "../../tenancy/scope";

/** Who published, as the console shows it: the member's email, the API key's name, or "system". */
async function publisherName(scope: OrgScope): Promise<string> {
  const actor = scope.actor;
  switch (actor.type) {
    case "user": {
      const user = await scope.db.user.findUnique({ where: { id: actor.userId }, select: { email: true } });
      return user?.email ?? "user";
    }
    case "apiKey": {
      const key = await scope.db.apiKey.findFirst({ where: { id: actor.apiKeyId, organizationId: scope.organizationId }, select: { name: true } });
      return key ? `API key "${key.name}"` : "API key";
    }
    case "system":
      return "system";
  }
}

export interface PublishVersionInput {
  /** What buildBundle returned (the CLI uploads the same three fields). */
  bundle: { code: string; sha256: string; manifest: unknown };
  changelog?: string;
}

/**
 * Publishes a built bundle as the next immutable version of its integration (created on first
 * publish, its name/description/category/icon refreshed from the manifest on every publish).
 * The same code twice is a no-op: the existing version comes back with `created: false`.
 */
export async function publishVersion(scope: OrgScope, input: PublishVersionInput) {
  const { code } = input.bundle;
  if (Buffer.byteLength(code) > MAX_BUNDLE_BYTES)
    throw new AppError("BAD_INPUT", `bundle is over the ${MAX_BUNDLE_BYTES} byte limit`, { limit: MAX_BUNDLE_BYTES });
  const sha256 = sha256Hex(code);
  if (input.bundle.sha256 !== sha256)
    throw new AppError("BAD_INPUT", "bundle sha256 does not match its code", { expected: sha256, given: input.bundle.sha256 });
  const parsed = Manifest.safeParse(input.bundle.manifest);
  if (!parsed.success)
    throw new AppError("BAD_INPUT", "invalid manifest", {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });
  const manifest = parsed.data;
  const { actorId } = actorRef(scope.actor);
  const publishedBy = await publisherName(scope);

  // Two publishes racing for the same next number: the loser's insert hits the unique index
  // and simply tries again with the number after.
  for (let tryNo = 0; ; tryNo++) {
    try {
      return await scope.db.$transaction(async (tx) => {
        const integration = await tx.integration.upsert({
          where: { organizationId_key: { organizationId: scope.organizationId, key: manifest.key } },
          create: {
            organizationId: scope.organizationId,
            key: manifest.key,
            name: manifest.name,
            description: manifest.description ?? "",
            category: manifest.category ?? "Other",
            icon: manifest.icon ?? null,
          },
          update: {
            name: manifest.name,
            description: manifest.description ?? "",
            category: manifest.category ?? "Other",
            icon: manifest.icon ?? null,
          },
        });
        const existing = await tx.integrationVersion.findUnique({
          where: { integrationId_sha256: { integrationId: integration.id, sha256 } },
          omit: { bundle: true },
        });
        if (existing) return { integration, version: existing, created: false as const };

        const last = await tx.integrationVersion.findFirst({
          where: { integrationId: integration.id },
          orderBy: { number: "desc" },
          select: { number: true },
        });
        const version = await tx.integrationVersion.create({
          data: {
            organizationId: scope.organizationId,
            integrationId: integration.id,
            number: (last?.number ?? 0) + 1,
            manifest: manifest as Prisma.InputJsonValue,
            bundle: code,
            sha256,
            changelog: input.changelog ?? "",
            status: "PUBLISHED",
            publishedById: actorId,
            publishedBy,
          },
          omit: { bundle: true },
        });
        await recordAudit(
          scope,
          { action: "integrationVersion.published", targetType: "integrationVersion", targetId: version.id, data: { key: manifest.key, number: version.number, sha256 } },
          tx,
        );
        return { integration, version, created: true as const };
      });
    } catch (err) {
      if (tryNo < 3 && isUniqueViolation(err)) continue;
      throw err;
    }
  }
}
