"use client";

import { CheckCircle2, Rocket, Undo2 } from "lucide-react";
import { useState } from "react";
import { Badge, type Tone } from "../badge";
import { Button } from "../button";
import { cn } from "../cn";
import { ConfirmDialog } from "../confirm-dialog";
import { RelativeTime } from "../time";
import { ActionDialog } from "@/components/action-dialog";
import { formatRate } from "./format-rate";
import type { IntegrationActions } from "./use-integration-actions";
import type { IntegrationDetail, RolloutItem } from "./types";

const statusLook: Record<RolloutItem["status"], { tone: Tone; text: string }> = {
  CANARY: { tone: "blue", text: "Canary" },
  COMPLETED: { tone: "green", text: "Completed" },
  ROLLED_BACK: { tone: "amber", text: "Rolled back" },
};

function Rate({ label, counts, tone, testId }: { label: string; counts: RolloutItem["stats"]["slice"]; tone: "slice" | "rest"; testId: string }) {
  return (
    <div className={cn("rounded-md border px-3 py-2", tone === "slice" ? "border-blue-200 bg-blue-50/50" : "border-line bg-zinc-50/60")} data-testid={testId}>
      <p className="text-2xs font-medium tracking-wide text-ink-3 uppercase">{label}</p>
      <p className="text-xl font-semibold text-ink tabular">{formatRate(counts.rate)}</p>
      <p className="text-xs text-ink-3 tabular">
        {counts.failed} failed of {counts.terminal} finished run{counts.terminal === 1 ? "" : "s"}
      </p>
    </div>
  );
}

const stepWords: Record<NonNullable<RolloutItem["progress"]>["op"], (r: RolloutItem) => string> = {
  START: (r) => `Moving the slice to v${r.to.number}`,
  CONTINUE: (r) => `Upgrading the rest to v${r.to.number}`,
  ROLLBACK: (r) => `Returning the slice to v${r.from.number}`,
};

/** The rollouts worker's step (it moves instances in batches): a bar while it runs, the counts after. */
function StepProgress({ rollout }: { rollout: RolloutItem }) {
  const p = rollout.progress;
  if (!p) return null;
  const pct = p.total ? Math.round(((p.done + p.failed) / p.total) * 100) : 0;
  const stayed = p.op === "ROLLBACK" ? "could not go back" : `stayed on v${rollout.from.number}`;
  return (
    <div className="mt-2" data-testid="rollout-progress" data-running={p.running ? "true" : "false"}>
      <p className="text-xs text-ink-2 tabular">
        {stepWords[p.op](rollout)}
        {p.running && p.total === 0 ? " · preparing…" : null}
        {p.total > 0 ? ` · ${p.done} of ${p.total} done` : null}
        {p.failed ? ` · ${p.failed} ${stayed}` : null}
        {p.running && p.total > 0 ? ` · ${p.remaining} remaining` : null}
        {!p.running ? " · finished" : null}
      </p>
      {p.running ? (
        <div className="mt-1 h-1.5 w-full max-w-md overflow-hidden rounded-full bg-zinc-100" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={stepWords[p.op](rollout)}>
          <div className="h-full rounded-full bg-blue-500 transition-[width]" style={{ width: `${pct}%` }} />
        </div>
      ) : null}
    </div>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The open canary (failure rates side by side, continue / roll back) and the last decided rollouts. */
export function RolloutPanel({ detail, canEdit, actions }: { detail: IntegrationDetail; canEdit: boolean; actions: IntegrationActions }) {
  const open = detail.rollouts.find((r) => r.status === "CANARY");
  const past = detail.rollouts.filter((r) => r.status !== "CANARY").slice(0, 5);
  const [dialog, setDialog] = useState<null | "continue" | "rollback">(null);
  if (!open && past.length === 0) return null;
  const rule = detail.haltRule;

  return (
    <section className="mb-5 rounded-lg border border-line bg-surface" aria-labelledby="rollouts-title" data-testid="rollout-panel">
      <div className="flex items-center justify-between gap-3 border-b border-line px-4 py-2.5">
        <h2 id="rollouts-title" className="flex items-center gap-2 text-sm font-semibold text-ink">
          <Rocket className="size-4 text-ink-3" aria-hidden /> Rollouts
        </h2>
      </div>
      {open ? (
        <div className="border-b border-line px-4 py-3">
          <div className="flex flex-col gap-3 lg:flex-row lg:items-start lg:justify-between">
            <div className="min-w-0">
              <p className="flex flex-wrap items-center gap-2 text-sm text-ink">
                <Badge tone="blue">Canary</Badge>
                <span className="font-medium">
                  v{open.from.number} → v{open.to.number}
                </span>
                <span className="text-ink-3">
                  slice: {open.slice} · {open.instanceIds.length} instance{open.instanceIds.length === 1 ? "" : "s"} moved · started{" "}
                  <RelativeTime date={open.startedAt} /> by {open.startedBy ?? "unknown"}
                </span>
              </p>
              {open.skipped.length ? (
                <p className="mt-1 text-xs text-red-700">
                  {open.skipped.length} instance{open.skipped.length === 1 ? "" : "s"} of the slice stayed on v{open.from.number}: {open.skipped[0]!.reason}
                </p>
              ) : null}
              {open.progress?.running ? <StepProgress rollout={open} /> : null}
            </div>
            {canEdit ? (
              <div className="flex gap-2">
                <Button size="sm" variant="primary" onClick={() => setDialog("continue")}>
                  <CheckCircle2 aria-hidden /> Continue to all
                </Button>
                <Button size="sm" onClick={() => setDialog("rollback")}>
                  <Undo2 aria-hidden /> Roll back slice
                </Button>
              </div>
            ) : null}
          </div>
          <div className="mt-3 grid gap-3 sm:grid-cols-3">
            <Rate label={`Slice on v${open.to.number}`} counts={open.stats.slice} tone="slice" testId="slice-rate" />
            <Rate label={`Rest on v${open.from.number}`} counts={open.stats.rest} tone="rest" testId="rest-rate" />
            <Rate label={`v${open.from.number}, from 24 h before`} counts={open.stats.baseline} tone="rest" testId="baseline-rate" />
          </div>
          <p className="mt-2 text-xs text-ink-3">
            {capitalize(open.stats.verdict.reason)}. Portico rolls the slice back by itself once it has {rule.minSliceRuns} finished runs and
            fails more than {rule.marginPoints} points above and over {rule.ratio}× the old version&apos;s rate.
          </p>
        </div>
      ) : null}
      {past.length ? (
        <ul className="divide-y divide-line">
          {past.map((r) => (
            <li key={r.id} className="flex flex-wrap items-center gap-x-2 gap-y-1 px-4 py-2 text-sm" data-testid="past-rollout">
              <Badge tone={statusLook[r.status].tone}>{statusLook[r.status].text}</Badge>
              {r.autoHalted ? <Badge tone="red">auto-halted</Badge> : null}
              <span className="font-medium text-ink">
                v{r.from.number} → v{r.to.number}
              </span>
              <span className="text-xs text-ink-3">
                {r.slice} · slice {formatRate(r.stats.slice.rate)} failed vs {formatRate(r.stats.rest.rate)} · <RelativeTime date={r.decidedAt ?? r.startedAt} />
              </span>
              {r.decision ? <span className="w-full text-xs text-ink-2">{r.decision}</span> : null}
              {r.progress?.running ? (
                <div className="w-full">
                  <StepProgress rollout={r} />
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}

      {open ? (
        <>
          <ActionDialog
            open={dialog === "continue"}
            onOpenChange={(o) => setDialog(o ? "continue" : null)}
            title={`Upgrade every instance of v${open.from.number} to v${open.to.number}?`}
            description={`The slice's failure rate is ${formatRate(open.stats.slice.rate)} against ${formatRate(open.stats.rest.rate)} for the rest. Instances whose config does not fit v${open.to.number} stay on v${open.from.number} and show why.`}
            confirmLabel="Continue to all"
            onConfirm={() => actions.continueRollout.mutateAsync({ rolloutId: open.id })}
          />
          <ConfirmDialog
            open={dialog === "rollback"}
            onOpenChange={(o) => setDialog(o ? "rollback" : null)}
            title={`Roll the slice back to v${open.from.number}?`}
            description={`${open.instanceIds.length} instance${open.instanceIds.length === 1 ? "" : "s"} go back to v${open.from.number} with the config they had there. Runs already queued finish on the version they were queued with.`}
            confirmLabel="Roll back"
            onConfirm={() => actions.rollBackRollout.mutateAsync({ rolloutId: open.id })}
          />
        </>
      ) : null}
    </section>
  );
}
