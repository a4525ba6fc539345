"use client";

import { Archive, ArchiveRestore, OctagonPause, Play, Rocket } from "lucide-react";
import { useState } from "react";
import { Badge } from "../badge";
import { Button } from "../button";
import { ConfirmDialog } from "../confirm-dialog";
import { formatAbsolute } from "../format";
import { RelativeTime } from "../time";
import { ActionDialog } from "@/components/action-dialog";
import { InstancesOnVersion } from "./instances-on-version";
import { ManifestView } from "./manifest-view";
import { RolloutDialog } from "./rollout-dialog";
import type { IntegrationActions } from "./use-integration-actions";
import type { InstanceItem, VersionItem } from "./types";

export function VersionCard({
  version,
  versions,
  instances,
  latest,
  canEdit,
  rolloutOpen,
  actions,
}: {
  version: VersionItem;
  versions: VersionItem[];
  instances: InstanceItem[];
  latest: boolean;
  canEdit: boolean;
  /** A canary is in progress for this integration: no second rollout. */
  rolloutOpen: boolean;
  actions: IntegrationActions;
}) {
  const [dialog, setDialog] = useState<null | "pause" | "resume" | "deprecate" | "undeprecate" | "rollout">(null);
  const active = instances.filter((i) => i.status === "ACTIVE").length;
  const killPaused = instances.filter((i) => i.status === "PAUSED" && i.statusReason?.startsWith(`version ${version.number} paused`)).length;
  const olderWithInstances = versions.filter((v) => v.number < version.number && v.instanceCount > 0);

  return (
    <section className="rounded-lg border border-line bg-surface" aria-labelledby={`v-${version.id}`} data-testid="version-card">
      <div className="flex flex-col gap-3 border-b border-line px-4 py-3 lg:flex-row lg:items-start lg:justify-between">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-2">
            <h3 id={`v-${version.id}`} className="text-sm font-semibold text-ink">
              Version {version.number}
            </h3>
            {latest ? <Badge tone="blue">latest</Badge> : null}
            {version.status === "DEPRECATED" ? <Badge tone="muted">deprecated</Badge> : null}
            {version.status === "DRAFT" ? <Badge>draft</Badge> : null}
            {version.paused ? <Badge tone="red">paused (kill switch)</Badge> : null}
            <span className="text-xs text-ink-3">
              {version.instanceCount} instance{version.instanceCount === 1 ? "" : "s"}
            </span>
          </div>
          <p className="mt-0.5 text-xs text-ink-3">
            Published <RelativeTime date={version.publishedAt} /> by {version.publishedBy ?? "unknown"} ·{" "}
            <code className="font-mono" title={`sha256 ${version.sha256}\n${formatAbsolute(version.publishedAt)}`}>
              {version.sha256.slice(0, 12)}
            </code>
          </p>
          {version.changelog ? <p className="mt-1 max-w-3xl text-sm whitespace-pre-line text-ink-2">{version.changelog}</p> : null}
        </div>
        {canEdit ? (
          <div className="flex flex-wrap items-center gap-2">
            {olderWithInstances.length > 0 && version.status === "PUBLISHED" && !version.paused ? (
              <Button size="sm" variant="primary" onClick={() => setDialog("rollout")} disabled={rolloutOpen} title={rolloutOpen ? "A canary is in progress" : undefined}>
                <Rocket aria-hidden /> Roll out v{version.number}
              </Button>
            ) : null}
            {version.paused ? (
              <Button size="sm" onClick={() => setDialog("resume")}>
                <Play aria-hidden /> Resume version
              </Button>
            ) : (
              <Button size="sm" onClick={() => setDialog("pause")}>
                <OctagonPause aria-hidden /> Pause all instances
              </Button>
            )}
            {version.status === "DEPRECATED" ? (
              <Button size="sm" variant="ghost" onClick={() => setDialog("undeprecate")}>
                <ArchiveRestore aria-hidden /> Un-deprecate
              </Button>
            ) : (
              <Button size="sm" variant="ghost" onClick={() => setDialog("deprecate")}>
                <Archive aria-hidden /> Deprecate
              </Button>
            )}
          </div>
        ) : null}
      </div>
      <div className="border-b border-line px-4 py-3">
        <ManifestView manifest={version.manifest} />
      </div>
      <InstancesOnVersion instances={instances} version={version} versions={versions} canEdit={canEdit} actions={actions} />

      <ConfirmDialog
        open={dialog === "pause"}
        onOpenChange={(o) => setDialog(o ? "pause" : null)}
        title={`Pause every instance of version ${version.number}?`}
        description={`The kill switch: ${active} active instance${active === 1 ? "" : "s"} stop running; their webhooks are still accepted and held, not lost. "Resume version" starts exactly these again.`}
        confirmLabel="Pause instances"
        onConfirm={() => actions.pauseVersion.mutateAsync({ versionId: version.id })}
      />
      <ActionDialog
        open={dialog === "resume"}
        onOpenChange={(o) => setDialog(o ? "resume" : null)}
        title={`Resume version ${version.number}?`}
        description={`${killPaused} instance${killPaused === 1 ? "" : "s"} paused by the kill switch start again, with the runs they held. Instances paused for another reason stay paused.`}
        confirmLabel="Resume"
        onConfirm={() => actions.resumeVersion.mutateAsync({ versionId: version.id })}
      />
      <ActionDialog
        open={dialog === "deprecate"}
        onOpenChange={(o) => setDialog(o ? "deprecate" : null)}
        title={`Deprecate version ${version.number}?`}
        description="No new deployments or upgrades onto it. Its instances keep running, and instances can still be rolled back onto it."
        confirmLabel="Deprecate"
        variant="danger"
        onConfirm={() => actions.deprecate.mutateAsync({ versionId: version.id, deprecated: true })}
      />
      <ActionDialog
        open={dialog === "undeprecate"}
        onOpenChange={(o) => setDialog(o ? "undeprecate" : null)}
        title={`Publish version ${version.number} again?`}
        description="It can be deployed and upgraded to again."
        confirmLabel="Un-deprecate"
        onConfirm={() => actions.deprecate.mutateAsync({ versionId: version.id, deprecated: false })}
      />
      {dialog === "rollout" ? (
        <RolloutDialog to={version} sources={olderWithInstances} instances={instances} actions={actions} onClose={() => setDialog(null)} />
      ) : null}
    </section>
  );
}
