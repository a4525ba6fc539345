import { rolloutStats, type RolloutStats } from "@/engine/rollouts/rollout-stats";
import { MARGIN_POINTS, MIN_SLICE_RUNS, RATIO } from "@/engine/rollouts/canary-rule";
import type { InstanceStatus, RolloutOp, RolloutStatus, VersionStatus } from "@/generated/prisma/client";
import { getOwnedIntegrationByKey, inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { webhookUrl } from "../instances/webhook-url";
import { summarizeManifest, type ManifestSummary } from "./manifest-summary";
import { describeSlice, SliceSpec } from "./rollout-slice";

export interface VersionItem {
  id: string;
  number: number;
  status: VersionStatus;
  paused: boolean;
  sha256: string;
  changelog: string;
  publishedBy: string | null;
  publishedAt: Date;
  manifest: ManifestSummary;
  instanceCount: number;
}

export interface IntegrationInstanceItem {
  id: string;
  name: string;
  status: InstanceStatus;
  statusReason: string | null;
  versionId: string;
  versionNumber: number;
  createdAt: Date;
  customer: { id: string; externalId: string; name: string | null; labels: string[] };
  webhooks: { flowKey: string; url: string }[];
  lastUpgrade: { at: Date; status: "SUCCEEDED" | "FAILED"; from: number | null; to: number | null; error: string | null } | null;
}

export interface RolloutItem {
  id: string;
  status: RolloutStatus;
  from: { id: string; number: number };
  to: { id: string; number: number };
  slice: string;
  instanceIds: string[];
  skipped: { instanceId: string; reason: string }[];
  startedBy: string | null;
  startedAt: Date;
  decidedAt: Date | null;
  decision: string | null;
  autoHalted: boolean;
  stats: RolloutStats;
  /** The last step the rollouts worker was asked to do (moving the slice, the rest, or the slice back) and how far it got. */
  progress: { op: RolloutOp; running: boolean; total: number; done: number; failed: number; remaining: number; startedAt: Date | null; finishedAt: Date | null } | null;
}

export interface IntegrationDetail {
  id: string;
  key: string;
  name: string;
  description: string;
  category: string;
  icon: string | null;
  marketplaceVisible: boolean;
  visibleToLabels: string[];
  versions: VersionItem[];
  instances: IntegrationInstanceItem[];
  rollouts: RolloutItem[];
  /** The automatic halt rule, for the rollout panel to state. */
  haltRule: { minSliceRuns: number; marginPoints: number; ratio: number };
}

/** An integration's page: versions with readable manifests, instances per version, recent rollouts with their failure rates. */
export async function getIntegrationDetail(scope: OrgScope, key: string): Promise<IntegrationDetail> {
  const integration = await getOwnedIntegrationByKey(scope, key);
  const [versions, instances, rollouts] = await Promise.all([
    scope.db.integrationVersion.findMany({
      where: { ...inOrg(scope), integrationId: integration.id },
      orderBy: { number: "desc" },
      omit: { bundle: true },
    }),
    scope.db.instance.findMany({
      where: { ...inOrg(scope), integrationId: integration.id, deletedAt: null },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: {
        id: true,
        name: true,
        status: true,
        statusReason: true,
        versionId: true,
        createdAt: true,
        customer: { select: { id: true, externalId: true, name: true, labels: true } },
        webhookEndpoints: { select: { flowKey: true, token: true }, orderBy: { flowKey: "asc" } },
        upgrades: { orderBy: { at: "desc" }, take: 1, select: { at: true, status: true, fromVersionId: true, toVersionId: true, error: true } },
      },
    }),
    scope.db.rollout.findMany({ where: { ...inOrg(scope), integrationId: integration.id }, orderBy: { startedAt: "desc" }, take: 10 }),
  ]);
  const numberOf = new Map(versions.map((v) => [v.id, v.number]));
  const ref = (id: string) => ({ id, number: numberOf.get(id) ?? 0 });

  return {
    id: integration.id,
    key: integration.key,
    name: integration.name,
    description: integration.description,
    category: integration.category,
    icon: integration.icon,
    marketplaceVisible: integration.marketplaceVisible,
    visibleToLabels: integration.visibleToLabels,
    versions: versions.map((v) => ({
      id: v.id,
      number: v.number,
      status: v.status,
      paused: v.paused,
      sha256: v.sha256,
      changelog: v.changelog,
      publishedBy: v.publishedBy,
      publishedAt: v.createdAt,
      manifest: summarizeManifest(v.manifest),
      instanceCount: instances.filter((i) => i.versionId === v.id).length,
    })),
    instances: instances.map((i) => {
      const u = i.upgrades[0];
      return {
        id: i.id,
        name: i.name,
        status: i.status,
        statusReason: i.statusReason,
        versionId: i.versionId,
        versionNumber: numberOf.get(i.versionId) ?? 0,
        createdAt: i.createdAt,
        customer: i.customer,
        webhooks: i.webhookEndpoints.map((w) => ({ flowKey: w.flowKey, url: webhookUrl(w.token) })),
        lastUpgrade: u
          ? { at: u.at, status: u.status, from: numberOf.get(u.fromVersionId) ?? null, to: numberOf.get(u.toVersionId) ?? null, error: u.error }
          : null,
      };
    }),
    rollouts: await Promise.all(
      rollouts.map(async (r) => {
        const slice = SliceSpec.safeParse(r.slice);
        return {
          id: r.id,
          status: r.status,
          from: ref(r.fromVersionId),
          to: ref(r.toVersionId),
          slice: slice.success ? describeSlice(slice.data) : "custom slice",
          instanceIds: r.instanceIds,
          skipped: (r.skipped as { instanceId: string; reason: string }[] | null) ?? [],
          startedBy: r.startedBy,
          startedAt: r.startedAt,
          decidedAt: r.decidedAt,
          decision: r.decision,
          autoHalted: r.autoHalted,
          stats: await rolloutStats(scope.db, r),
          progress: r.op
            ? {
                op: r.op,
                running: r.opFinishedAt === null,
                total: r.opTotal,
                done: r.opDone,
                failed: r.opFailed,
                remaining: Math.max(0, r.opTotal - r.opDone - r.opFailed),
                startedAt: r.opStartedAt,
                finishedAt: r.opFinishedAt,
              }
            : null,
        };
      }),
    ),
    haltRule: { minSliceRuns: MIN_SLICE_RUNS, marginPoints: MARGIN_POINTS, ratio: RATIO },
  };
}
