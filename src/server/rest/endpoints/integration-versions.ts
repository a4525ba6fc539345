import { z } from "zod";
import { sha256Hex } from "@/engine/bundle/load-bundle";
import { bundleTooLarge, MAX_BUNDLE_BYTES, validateManifest } from "@/engine/bundle/validate-manifest";
import { VersionStatus } from "@/generated/prisma/enums";
import { AppError } from "@/lib/errors";
import { publishUploadedBundle } from "../../services/integrations/publish-uploaded-bundle";
import { getOwnedIntegrationByKey, inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { defineEndpoint, Reply } from "../handler";
import { Timestamp } from "../json";

// Publishing (the CLI's upload) and the version list of one integration. A version is
// immutable: there is no update route, and the database refuses changes to a version's code
// (migration integration_version_immutable).

const IntegrationKey = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "an integration key: lowercase letters, digits and dashes");

export const IntegrationVersion = z
  .object({
    id: z.string(),
    number: z.number().int(),
    sha256: z.string(),
    changelog: z.string(),
    status: z.enum(VersionStatus),
    paused: z.boolean(),
    publishedBy: z.string().nullable().meta({ description: "the member's email, the API key's name, or system" }),
    createdAt: Timestamp,
  })
  .meta({ id: "IntegrationVersion" });

const versionFields = {
  id: true,
  number: true,
  sha256: true,
  changelog: true,
  status: true,
  paused: true,
  publishedBy: true,
  createdAt: true,
} as const;

export const PublishVersionBody = z.object({
  code: z.string().min(1).meta({ description: "the bundle: one CommonJS file built by `portico publish` (esbuild)" }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "64 lowercase hex digits").meta({ description: "sha256 of `code` (UTF-8), hex" }),
  manifest: z.record(z.string(), z.unknown()).meta({ description: "the manifest buildBundle extracted; validated again here" }),
  changelog: z.string().max(10_000).optional(),
});

async function publish(scope: OrgScope, key: string, body: z.output<typeof PublishVersionBody>) {
  const result = await publishUploadedBundle(scope, key, body);
  const { number } = result.version;
  return new Reply(
    {
      created: result.created,
      message: result.created ? `published ${key} version ${number}` : `already published as version ${number}`,
      version: result.version,
    },
    result.created ? 201 : 200,
  );
}

export const publishVersionEndpoint = defineEndpoint({
  method: "POST",
  path: "/api/v1/integrations/{key}/versions",
  operationId: "publishIntegrationVersion",
  summary: "Publish a bundle as the integration's next version (what `portico publish` calls)",
  params: z.object({ key: IntegrationKey }),
  body: PublishVersionBody,
  response: z.object({
    created: z.boolean().meta({ description: "false when the same code was already published: nothing changed" }),
    message: z.string(),
    version: IntegrationVersion,
  }),
  status: 201,
  otherStatuses: [200],
  run: (scope, { params, body }) => publish(scope, params.key, body),
});

export const listVersionsEndpoint = defineEndpoint({
  method: "GET",
  path: "/api/v1/integrations/{key}/versions",
  operationId: "listIntegrationVersions",
  summary: "List an integration's versions, newest first",
  params: z.object({ key: IntegrationKey }),
  response: z.object({ items: z.array(IntegrationVersion.extend({ instanceCount: z.number().int() })) }),
  run: async (scope, { params }) => {
    const integration = await getOwnedIntegrationByKey(scope, params.key);
    const rows = await scope.db.integrationVersion.findMany({
      where: { integrationId: integration.id, ...inOrg(scope) },
      orderBy: { number: "desc" },
      select: { ...versionFields, _count: { select: { instances: { where: { deletedAt: null } } } } },
    });
    return { items: rows.map(({ _count, ...v }) => ({ ...v, instanceCount: _count.instances })) };
  },
});
