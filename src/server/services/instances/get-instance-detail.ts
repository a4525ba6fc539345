import { Manifest } from "@/engine/bundle/manifest";
import { describeTrigger } from "../versions/manifest-summary";
import { getOwnedInstance } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { INSTANCE_ITEM_INCLUDE, toInstanceListItem, type InstanceListItem } from "./instance-item";
import { webhookUrl } from "./webhook-url";

// The console's instance page: who it is for, which version, its connections, each flow with
// its trigger and — for webhook flows — the URL and whether it checks signatures. No secret
// here: the signing secret is revealed on its own request (audit-logged).

export type InstanceWebhook = {
  flowKey: string;
  url: string;
  createdAt: Date;
  rotatedAt: Date | null;
  /** The flow's manifest asks for an HMAC signature header. */
  signature: { header: string; timestampHeader: string | null } | null;
  hasSigningSecret: boolean;
};

export type InstancePageDetail = Omit<InstanceListItem, "webhooks"> & {
  updatedAt: Date;
  consecutiveFailures: number;
  flows: { key: string; name: string; trigger: string; triggerType: string }[];
  webhooks: InstanceWebhook[];
  connections: { key: string; connectionId: string; appKey: string; label: string | null; status: string }[];
  recentRuns: { total: number; failed: number };
};

export async function getInstanceDetail(scope: OrgScope, id: string): Promise<InstancePageDetail> {
  const owned = await getOwnedInstance(scope, id);
  const row = await scope.db.instance.findUniqueOrThrow({
    where: { id: owned.id },
    include: {
      ...INSTANCE_ITEM_INCLUDE,
      version: { select: { number: true, manifest: true } },
      webhookEndpoints: { select: { flowKey: true, token: true, createdAt: true, rotatedAt: true, signingSecret: true }, orderBy: { flowKey: "asc" } },
      connections: {
        select: { key: true, connection: { select: { id: true, appKey: true, label: true, status: true } } },
        orderBy: { key: "asc" },
      },
    },
  });
  const manifest = Manifest.safeParse(row.version.manifest);
  const flows = manifest.success ? Object.entries(manifest.data.flows) : [];
  const since = new Date(Date.now() - 24 * 60 * 60_000);
  const [total, failed] = await Promise.all([
    scope.db.execution.count({ where: { instanceId: row.id, organizationId: scope.organizationId, queuedAt: { gte: since } } }),
    scope.db.execution.count({ where: { instanceId: row.id, organizationId: scope.organizationId, queuedAt: { gte: since }, status: "FAILED" } }),
  ]);
  const item = toInstanceListItem({ ...row, version: { number: row.version.number } });
  return {
    ...item,
    updatedAt: row.updatedAt,
    consecutiveFailures: row.consecutiveFailures,
    flows: flows.map(([key, f]) => ({ key, name: f.name, trigger: describeTrigger(f.trigger), triggerType: f.trigger.type })),
    webhooks: row.webhookEndpoints.map((w) => {
      const trigger = flows.find(([key]) => key === w.flowKey)?.[1].trigger;
      const signature = trigger?.type === "webhook" ? (trigger as { signature?: { header: string; timestampHeader?: string } }).signature : undefined;
      return {
        flowKey: w.flowKey,
        url: webhookUrl(w.token),
        createdAt: w.createdAt,
        rotatedAt: w.rotatedAt,
        signature: signature ? { header: signature.header, timestampHeader: signature.timestampHeader ?? null } : null,
        hasSigningSecret: w.signingSecret !== null,
      };
    }),
    connections: row.connections.map((c) => ({
      key: c.key,
      connectionId: c.connection.id,
      appKey: c.connection.appKey,
      label: c.connection.label,
      status: c.connection.status,
    })),
    recentRuns: { total, failed },
  };
}
