"use client";

import { ListTree } from "lucide-react";
import { Badge } from "@/components/badge";
import { Card, CardHeader } from "@/components/card";
import { cn } from "@/components/cn";
import { durationBetween, formatDuration } from "@/components/format";
import { JsonView } from "@/components/json-view";
import { StatusBadge, statusDot, type ExecutionStatus } from "@/components/status-badge";
import { useNow } from "@/components/time";
import type { ExecutionDetail } from "@/trpc/types";
import { Disclosure } from "./disclosure";

type Step = ExecutionDetail["steps"][number];

export function StepsTimeline({ run }: { run: ExecutionDetail }) {
  const now = useNow();
  const steps = [...run.steps].sort((a, b) => a.seq - b.seq);
  // The waterfall spans the run: each bar shows when a step started and how long it took.
  const origin = run.startedAt?.getTime() ?? steps[0]?.startedAt?.getTime() ?? null;
  const end = run.finishedAt?.getTime() ?? Math.max(now, ...steps.map((s) => (s.finishedAt ?? s.startedAt)?.getTime() ?? 0));
  const span = origin != null ? Math.max(end - origin, 1) : null;

  return (
    <Card>
      <CardHeader id="steps" title="Steps" count={steps.length} />
      {steps.length === 0 ? (
        <div className="flex items-center gap-2 px-4 py-6 text-sm text-ink-3">
          <ListTree className="size-4" aria-hidden />
          {run.status === "QUEUED" ? "No steps yet: the run is waiting for a worker." : "This run recorded no steps."}
        </div>
      ) : (
        <ol className="divide-y divide-line">
          {steps.map((step) => (
            <StepRow key={step.id} step={step} origin={origin} span={span} now={now} />
          ))}
        </ol>
      )}
    </Card>
  );
}

function StepRow({ step, origin, span, now }: { step: Step; origin: number | null; span: number | null; now: number }) {
  const duration = step.durationMs ?? durationBetween(step.startedAt, step.finishedAt ?? (step.status === "RUNNING" ? new Date(now) : null));
  let bar: { left: number; width: number } | null = null;
  if (origin != null && span != null && step.startedAt) {
    const left = ((step.startedAt.getTime() - origin) / span) * 100;
    const width = ((duration ?? 0) / span) * 100;
    bar = { left: Math.min(Math.max(left, 0), 99.5), width: Math.max(Math.min(width, 100 - Math.max(left, 0)), 0.5) };
  }
  const hasOutput = step.output !== null && step.output !== undefined;

  return (
    <li data-testid="step-row" className="px-4 py-2.5">
      <div className="grid grid-cols-[1.5rem_minmax(0,1fr)_auto] items-center gap-x-3 sm:grid-cols-[1.5rem_minmax(0,20rem)_minmax(0,1fr)_auto]">
        <span className="font-mono text-xs text-ink-3 tabular">{step.seq}</span>
        <div className="flex min-w-0 items-center gap-2">
          <StatusBadge status={step.status} />
          <span className="truncate font-medium" title={step.name}>
            {step.name}
          </span>
          {step.attempt > 1 ? <Badge tone="amber">try {step.attempt}</Badge> : null}
        </div>
        <div className="hidden h-1.5 rounded-full bg-zinc-100 sm:block" aria-hidden>
          {bar ? (
            <div
              className={cn("h-1.5 rounded-full", statusDot[step.status as ExecutionStatus] ?? "bg-zinc-400")}
              style={{ marginLeft: `${bar.left}%`, width: `${bar.width}%` }}
            />
          ) : null}
        </div>
        <span className="text-right font-mono text-xs text-ink-2 tabular">{formatDuration(duration)}</span>
      </div>
      {step.errorClass || step.errorMessage ? (
        <div className="mt-2 ml-9 rounded-md border border-red-200 bg-red-50/60 px-3 py-2">
          {step.errorClass ? (
            <Badge tone="red" className="mr-2 font-mono">
              {step.errorClass}
            </Badge>
          ) : null}
          <span className="font-mono text-xs break-words text-red-900">{step.errorMessage}</span>
        </div>
      ) : null}
      {hasOutput ? (
        <Disclosure label="Output" className="mt-1.5 ml-9">
          <JsonView value={step.output} />
        </Disclosure>
      ) : null}
    </li>
  );
}
