"use client";

import { ArrowUpDown } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { Badge, type Tone } from "../badge";
import { Button } from "../button";
import { Field, Select } from "../field";
import { ActionDialog } from "@/components/action-dialog";
import type { IntegrationActions } from "./use-integration-actions";
import type { InstanceItem, VersionItem } from "./types";

const statusTone: Record<string, Tone> = { ACTIVE: "green", PAUSED: "amber", NEEDS_ATTENTION: "red", DELETED: "muted" };
const statusText: Record<string, string> = { ACTIVE: "Active", PAUSED: "Paused", NEEDS_ATTENTION: "Needs attention", DELETED: "Deleted" };

/** The instances running one version, each with "move to another version" for builders. */
export function InstancesOnVersion({
  instances,
  version,
  versions,
  canEdit,
  actions,
}: {
  instances: InstanceItem[];
  version: VersionItem;
  versions: VersionItem[];
  canEdit: boolean;
  actions: IntegrationActions;
}) {
  const [moving, setMoving] = useState<InstanceItem | null>(null);
  if (instances.length === 0) return <p className="px-4 py-3 text-xs text-ink-3">No instance runs this version.</p>;
  return (
    <>
      <ul className="divide-y divide-line" aria-label={`Instances on version ${version.number}`}>
        {instances.map((i) => (
          <li key={i.id} className="flex flex-col gap-2 px-4 py-2 sm:flex-row sm:items-center" data-testid="version-instance">
            <div className="min-w-0 flex-1">
              <div className="flex min-w-0 flex-wrap items-center gap-2">
                <Link href={`/runs?instanceId=${i.id}`} className="truncate text-sm font-medium text-ink hover:underline" title="Show this instance's runs">
                  {i.name}
                </Link>
                <Badge tone={statusTone[i.status] ?? "neutral"}>{statusText[i.status] ?? i.status}</Badge>
              </div>
              <p className="truncate text-xs text-ink-3">
                {i.customer.name ?? i.customer.externalId}
                <span className="font-mono"> · {i.customer.externalId}</span>
                {i.customer.labels.length ? <span> · {i.customer.labels.join(", ")}</span> : null}
              </p>
              {i.statusReason ? (
                <p className={i.statusReason.startsWith("Upgrade to version") ? "text-xs text-red-700" : "text-xs text-amber-800"} data-testid="instance-status-reason">
                  {i.statusReason}
                </p>
              ) : null}
            </div>
            {canEdit && versions.length > 1 ? (
              <Button size="sm" onClick={() => setMoving(i)} aria-label={`Change version of ${i.name}`}>
                <ArrowUpDown aria-hidden /> Change version
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      {moving ? <MoveDialog instance={moving} current={version} versions={versions} actions={actions} onClose={() => setMoving(null)} /> : null}
    </>
  );
}

function MoveDialog({
  instance,
  current,
  versions,
  actions,
  onClose,
}: {
  instance: InstanceItem;
  current: VersionItem;
  versions: VersionItem[];
  actions: IntegrationActions;
  onClose: () => void;
}) {
  const targets = versions.filter((v) => v.id !== current.id && v.status !== "DRAFT" && !v.paused);
  const [target, setTarget] = useState(targets[0]?.id ?? "");
  const chosen = versions.find((v) => v.id === target);
  const rollback = chosen ? chosen.number < current.number : false;
  return (
    <ActionDialog
      open
      onOpenChange={(open) => (open ? null : onClose())}
      title={`Move ${instance.name}`}
      description={
        <>
          Now on version {current.number}. The config goes through the new version&apos;s migrate and settings; if they refuse it,
          the instance stays where it is and shows why. Webhook URLs stay the same; runs already queued finish on version{" "}
          {current.number}.
        </>
      }
      confirmLabel={chosen ? `${rollback ? "Roll back" : "Upgrade"} to v${chosen.number}` : "Move"}
      disabled={!chosen}
      onConfirm={() => actions.upgrade.mutateAsync({ instanceId: instance.id, versionId: target })}
    >
      <Field id="target-version" label="Version">
        <Select id="target-version" value={target} onChange={(e) => setTarget(e.target.value)}>
          {targets.map((v) => (
            <option key={v.id} value={v.id}>
              v{v.number}
              {v.status === "DEPRECATED" ? " (deprecated)" : ""}
              {v.number < current.number ? " — rollback" : ""}
            </option>
          ))}
        </Select>
      </Field>
    </ActionDialog>
  );
}
