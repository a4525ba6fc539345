"use client";

import { useState } from "react";
import { Field, Input, Select } from "../field";
import { ActionDialog } from "@/components/action-dialog";
import type { IntegrationActions } from "./use-integration-actions";
import type { InstanceItem, VersionItem } from "./types";

type Kind = "count" | "percent" | "label";

/** Start a bulk upgrade with a canary slice: the slice moves now, everyone else after "Continue". */
export function RolloutDialog({
  to,
  sources,
  actions,
  onClose,
}: {
  to: VersionItem;
  sources: VersionItem[];
  instances: InstanceItem[];
  actions: IntegrationActions;
  onClose: () => void;
}) {
  const [from, setFrom] = useState(sources[sources.length - 1]?.id ?? sources[0]?.id ?? "");
  const [kind, setKind] = useState<Kind>("count");
  const [value, setValue] = useState("1");
  const source = sources.find((s) => s.id === from);
  const n = Number(value);
  const valid = kind === "label" ? value.trim().length > 0 : Number.isFinite(n) && n >= 1 && (kind === "count" ? Number.isInteger(n) : n <= 100);
  const slice = kind === "count" ? { kind, count: n } : kind === "percent" ? { kind, percent: n } : { kind, label: value.trim() };

  return (
    <ActionDialog
      open
      onOpenChange={(open) => (open ? null : onClose())}
      title={`Roll out version ${to.number}`}
      description="A canary first: the slice moves to the new version now. Compare its failure rate with the rest's, then continue to everyone or roll the slice back. If the slice fails clearly more than the old version, Portico rolls it back by itself."
      confirmLabel="Start canary"
      disabled={!valid || !source}
      onConfirm={() => actions.startRollout.mutateAsync({ fromVersionId: from, toVersionId: to.id, slice })}
    >
      <Field id="rollout-from" label="Instances now on">
        <Select id="rollout-from" value={from} onChange={(e) => setFrom(e.target.value)}>
          {sources.map((v) => (
            <option key={v.id} value={v.id}>
              v{v.number} ({v.instanceCount} instance{v.instanceCount === 1 ? "" : "s"})
            </option>
          ))}
        </Select>
      </Field>
      <div className="grid grid-cols-2 gap-3">
        <Field id="rollout-kind" label="Slice">
          <Select
            id="rollout-kind"
            value={kind}
            onChange={(e) => {
              const k = e.target.value as Kind;
              setKind(k);
              setValue(k === "label" ? "" : k === "percent" ? "10" : "1");
            }}
          >
            <option value="count">Instances</option>
            <option value="percent">Percentage</option>
            <option value="label">Customer label</option>
          </Select>
        </Field>
        <Field id="rollout-value" label={kind === "count" ? "How many" : kind === "percent" ? "Percent" : "Label"}>
          <Input
            id="rollout-value"
            value={value}
            inputMode={kind === "label" ? "text" : "numeric"}
            onChange={(e) => setValue(e.target.value)}
            aria-invalid={!valid || undefined}
          />
        </Field>
      </div>
    </ActionDialog>
  );
}
