"use client";

import { useQuery } from "@tanstack/react-query";
import { ArrowLeft, FileQuestion } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { Badge } from "@/components/badge";
import { buttonClass } from "@/components/button";
import { Card, CardHeader } from "@/components/card";
import { CopyButton } from "@/components/copy-button";
import { EmptyState } from "@/components/empty-state";
import { ErrorPanel } from "@/components/error-panel";
import { durationBetween, formatAbsolute, formatBytes, formatDuration, formatShort } from "@/components/format";
import { JsonView } from "@/components/json-view";
import { Skeleton } from "@/components/skeleton";
import { StatusBadge } from "@/components/status-badge";
import { RelativeTime, useNow } from "@/components/time";
import { toUiError } from "@/trpc/errors";
import { useTRPC } from "@/trpc/react";
import type { ExecutionDetail } from "@/trpc/types";
import { errorClassHelp } from "./error-classes";
import { HttpExchanges } from "./http-exchanges";
import { LogsPanel } from "./logs-panel";
import { RunActions } from "./run-actions";
import { StepsTimeline } from "./steps-timeline";

const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);
const PREVIEW_BYTES = 8 * 1024;

export function RunDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const q = useQuery({
    ...trpc.executions.get.queryOptions({ id }),
    // Follow a run while it is in flight; stop polling once it settled.
    refetchInterval: (query) => {
      if (query.state.status === "error") return false;
      const status = query.state.data?.status;
      return status && TERMINAL.has(status) ? false : 2_000;
    },
  });

  if (q.isPending) return <RunDetailSkeleton />;
  if (q.isError) {
    if (toUiError(q.error).code === "NOT_FOUND") {
      return (
        <>
          <BackLink />
          <EmptyState
            icon={FileQuestion}
            title="Run not found"
            action={
              <Link href="/runs" className={buttonClass("secondary")}>
                All runs
              </Link>
            }
          >
            There is no run with this id in your organization. It may belong to another organization, or the link is
            mistyped.
          </EmptyState>
        </>
      );
    }
    return (
      <>
        <BackLink />
        <ErrorPanel error={q.error} onRetry={() => q.refetch()} title="Could not load this run" />
      </>
    );
  }
  return <RunDetailView run={q.data} />;
}

function BackLink() {
  return (
    <Link href="/runs" className="mb-3 inline-flex items-center gap-1 rounded text-xs text-ink-3 hover:text-ink">
      <ArrowLeft className="size-3.5" aria-hidden /> Runs
    </Link>
  );
}

function RunDetailView({ run }: { run: ExecutionDetail }) {
  const now = useNow();
  const inFlight = !TERMINAL.has(run.status);
  const wait = durationBetween(run.queuedAt, run.startedAt ?? (inFlight ? new Date(now) : null));
  const duration = run.durationMs ?? durationBetween(run.startedAt, run.finishedAt ?? (run.startedAt && inFlight ? new Date(now) : null));
  const customer = run.customer.name ?? run.customer.externalId;

  return (
    <article className="space-y-4">
      <div>
        <BackLink />
        <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
          <div className="min-w-0">
            <div className="flex flex-wrap items-center gap-2.5">
              <StatusBadge status={run.status} data-testid="run-status" className="h-6 px-2 text-xs" />
              <h1 className="min-w-0 truncate text-lg font-semibold tracking-tight">{run.integration.name}</h1>
              <span className="font-mono text-sm text-ink-3">{run.flowKey}</span>
            </div>
            <p className="mt-1.5 flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-ink-3 [&>[aria-hidden]]:max-sm:hidden max-sm:gap-x-3">
              <span>
                for <Link href={`/runs?customerId=${run.customer.id}`} className="font-medium text-ink-2 hover:underline">{customer}</Link>
              </span>
              <span aria-hidden>·</span>
              <span>
                instance{" "}
                <Link href={`/instances/${run.instance.id}`} className="font-medium text-ink-2 hover:underline">
                  {run.instance.name}
                </Link>
              </span>
              <span aria-hidden>·</span>
              <span>v{run.version.number}</span>
              {run.attempt > 1 ? (
                <>
                  <span aria-hidden>·</span>
                  <Badge tone="amber">attempt {run.attempt}</Badge>
                </>
              ) : null}
            </p>
          </div>
          <div className="flex flex-col items-start gap-2 sm:items-end">
            <div className="flex items-center gap-1 text-xs text-ink-3">
              <span className="font-mono">{run.id}</span>
              <CopyButton value={run.id} label="Copy run id" />
            </div>
            <RunActions run={run} />
          </div>
        </div>
      </div>

      <Card>
        <dl className="grid grid-cols-2 gap-x-6 gap-y-4 px-4 py-4 sm:grid-cols-3 lg:grid-cols-6">
          <Fact label="Trigger">
            <Badge>{run.triggerType}</Badge>
            {run.triggerSource ? (
              <span className="mt-1 block truncate font-mono text-2xs text-ink-3" title={run.triggerSource}>
                {run.triggerSource}
              </span>
            ) : null}
          </Fact>
          <Fact label="Reference">
            {run.reference ? (
              <span className="flex min-w-0 items-center gap-0.5">
                <span className="truncate font-mono text-xs" title={run.reference}>
                  {run.reference}
                </span>
                <CopyButton value={run.reference} label="Copy reference" className="h-5" />
              </span>
            ) : (
              <Muted>none</Muted>
            )}
          </Fact>
          <Fact label="Queued">
            <Timestamp date={run.queuedAt} />
          </Fact>
          <Fact label="Started">
            <Timestamp date={run.startedAt} />
          </Fact>
          <Fact label="Finished">
            <Timestamp date={run.finishedAt} pending={inFlight ? "in progress" : undefined} />
          </Fact>
          <Fact label="Queue wait">
            <span className="font-mono text-xs tabular">{formatDuration(wait)}</span>
          </Fact>
          <Fact label="Duration">
            <span data-testid="run-duration" className="font-mono text-xs tabular">
              {formatDuration(duration)}
              {inFlight && run.startedAt ? "…" : ""}
            </span>
          </Fact>
          <Fact label="Attempt">
            <span className="tabular">{run.attempt}</span>
          </Fact>
          {run.traceId ? (
            <Fact label="Trace" className="col-span-2">
              <span className="flex min-w-0 items-center gap-1">
                <span className="truncate font-mono text-xs">{run.traceId}</span>
                <CopyButton value={run.traceId} label="Copy trace id" />
              </span>
            </Fact>
          ) : null}
          {run.replayOfId ? (
            <Fact label="Replay of" className="col-span-2">
              <Link href={`/runs/${run.replayOfId}`} className="truncate font-mono text-xs text-accent hover:underline">
                {run.replayOfId}
              </Link>
            </Fact>
          ) : null}
        </dl>
      </Card>

      {run.errorClass || run.status === "FAILED" ? <RunError run={run} /> : null}

      <nav aria-label="Sections" className="flex flex-wrap gap-1 text-xs">
        <JumpLink href="#steps" label="Steps" count={run.steps.length} />
        <JumpLink href="#http" label="HTTP" count={run.httpExchanges.length} />
        <JumpLink href="#logs" label="Logs" count={run.logs.length} />
        <JumpLink href="#payload" label="Payload" />
      </nav>

      <StepsTimeline run={run} />
      <HttpExchanges exchanges={run.httpExchanges} truncated={run.httpExchangesTruncated} />
      <LogsPanel logs={run.logs} truncated={run.logsTruncated} />
      <PayloadPreview run={run} />
    </article>
  );
}

function RunError({ run }: { run: ExecutionDetail }) {
  const help = run.errorClass ? errorClassHelp[run.errorClass] : undefined;
  return (
    <section data-testid="run-error" aria-labelledby="run-error-title" className="rounded-lg border border-red-200 bg-red-50/60 px-4 py-3.5">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone="red" className="font-mono">
          {run.errorClass ?? "ERROR"}
        </Badge>
        <h2 id="run-error-title" className="text-sm font-semibold text-red-900">
          {help?.title ?? "Run failed"}
        </h2>
      </div>
      {run.errorMessage ? (
        <p className="mt-2 font-mono text-xs leading-relaxed break-words whitespace-pre-wrap text-red-900">{run.errorMessage}</p>
      ) : null}
      {help ? <p className="mt-2 text-sm text-red-900/80">{help.action}</p> : null}
      {run.customerMessage ? (
        <p className="mt-3 border-t border-red-200/70 pt-2.5 text-sm text-red-900/80">
          <span className="font-medium text-red-900">The customer sees: </span>
          {run.customerMessage}
        </p>
      ) : null}
    </section>
  );
}

function PayloadPreview({ run }: { run: ExecutionDetail }) {
  const preview = run.payloadPreview;
  const truncated = preview != null && new TextEncoder().encode(preview).length >= PREVIEW_BYTES - 4;
  return (
    <Card>
      <CardHeader
        id="payload"
        title="Payload"
        actions={
          <>
            {run.contentType ? <Badge className="font-mono">{run.contentType}</Badge> : null}
            {preview ? <CopyButton value={preview} label="Copy payload" /> : null}
          </>
        }
      />
      <div className="p-4">
        {preview == null ? (
          <Muted>This run has no payload (scheduled and manual runs usually don't).</Muted>
        ) : (
          <>
            <JsonView value={preview} maxHeight="max-h-96" />
            {truncated ? (
              <p className="mt-2 text-xs text-ink-3">Showing the first {formatBytes(PREVIEW_BYTES)}; the stored payload is longer.</p>
            ) : null}
          </>
        )}
      </div>
    </Card>
  );
}

function Fact({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div className={`min-w-0 ${className ?? ""}`}>
      <dt className="text-2xs font-medium tracking-wide text-ink-3 uppercase">{label}</dt>
      <dd className="mt-1 min-w-0 text-sm text-ink">{children}</dd>
    </div>
  );
}

function Timestamp({ date, pending }: { date: Date | null; pending?: string }) {
  if (!date) return <Muted>{pending ?? "—"}</Muted>;
  return (
    <span className="block">
      <RelativeTime date={date} className="block" />
      <span className="block truncate text-2xs text-ink-3 tabular" title={formatAbsolute(date)}>
        {formatShort(date)}
      </span>
    </span>
  );
}

function Muted({ children }: { children: ReactNode }) {
  return <span className="text-sm text-ink-3">{children}</span>;
}

function JumpLink({ href, label, count }: { href: string; label: string; count?: number }) {
  return (
    <a href={href} className="inline-flex h-7 items-center gap-1.5 rounded-md border border-line bg-surface px-2.5 font-medium text-ink-2 hover:bg-zinc-50 hover:text-ink">
      {label}
      {count != null ? <span className="text-ink-3 tabular">{count}</span> : null}
    </a>
  );
}

function RunDetailSkeleton() {
  return (
    <div role="status" aria-label="Loading run" className="space-y-4">
      <Skeleton className="h-3.5 w-12" />
      <div className="flex items-center gap-2.5">
        <Skeleton className="h-6 w-24" />
        <Skeleton className="h-6 w-56" />
      </div>
      <Skeleton className="h-4 w-80 max-w-full" />
      <div className="rounded-lg border border-line bg-surface">
        <div className="grid grid-cols-2 gap-x-6 gap-y-4 px-4 py-4 sm:grid-cols-3 lg:grid-cols-6">
          {Array.from({ length: 8 }, (_, i) => (
            <div key={i}>
              <Skeleton className="h-2.5 w-14" />
              <Skeleton className="mt-2 h-4 w-24" />
            </div>
          ))}
        </div>
      </div>
      <div className="rounded-lg border border-line bg-surface">
        <div className="border-b border-line px-4 py-3">
          <Skeleton className="h-4 w-16" />
        </div>
        {Array.from({ length: 4 }, (_, i) => (
          <div key={i} className="flex items-center gap-3 border-b border-line px-4 py-3 last:border-0">
            <Skeleton className="h-4 w-5" />
            <Skeleton className="h-5 w-20" />
            <Skeleton className="h-4 w-40" />
            <Skeleton className="ml-auto h-4 w-12" />
          </div>
        ))}
      </div>
    </div>
  );
}
