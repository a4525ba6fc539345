"use client";

import { useQuery } from "@tanstack/react-query";
import { ArrowLeft, FileQuestion, ListChecks, SlidersHorizontal } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { Badge, type Tone } from "@/components/badge";
import { buttonClass } from "@/components/button";
import { Card, CardHeader } from "@/components/card";
import { CopyButton } from "@/components/copy-button";
import { EmptyState } from "@/components/empty-state";
import { ErrorPanel } from "@/components/error-panel";
import { Skeleton } from "@/components/skeleton";
import { RelativeTime } from "@/components/time";
import { toUiError } from "@/trpc/errors";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { useCurrentOrg } from "../../use-current-org";
import { WebhooksCard } from "./webhooks-card";

export type InstanceDetailData = RouterOutputs["instances"]["detail"];

const statusTone: Record<string, Tone> = { ACTIVE: "green", PAUSED: "amber", NEEDS_ATTENTION: "red", DELETED: "muted" };
const statusText: Record<string, string> = { ACTIVE: "Active", PAUSED: "Paused", NEEDS_ATTENTION: "Needs attention", DELETED: "Deleted" };
const connectionTone: Record<string, Tone> = { ACTIVE: "green", EXPIRED: "red", REVOKED: "muted", ERROR: "red" };

export function InstanceDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.instances.detail.queryOptions({ instanceId: id }));

  if (q.isPending) return <InstanceDetailSkeleton />;
  if (q.isError) {
    if (toUiError(q.error).code === "NOT_FOUND") {
      return (
        <>
          <BackLink />
          <EmptyState
            icon={FileQuestion}
            title="Instance not found"
            action={
              <Link href="/instances" className={buttonClass("secondary")}>
                All instances
              </Link>
            }
          >
            There is no instance with this id in your organization. It may have been deleted, or the link is mistyped.
          </EmptyState>
        </>
      );
    }
    return (
      <>
        <BackLink />
        <ErrorPanel error={q.error} onRetry={() => q.refetch()} title="Could not load this instance" />
      </>
    );
  }
  return <InstanceDetailView instance={q.data} />;
}

function BackLink() {
  return (
    <Link href="/instances" className="mb-3 inline-flex items-center gap-1 rounded text-xs text-ink-3 hover:text-ink">
      <ArrowLeft className="size-3.5" aria-hidden /> Instances
    </Link>
  );
}

function InstanceDetailView({ instance: i }: { instance: InstanceDetailData }) {
  const { can } = useCurrentOrg();
  const canEdit = can("BUILDER");
  const customer = i.customer.name ?? i.customer.externalId;
  return (
    <article className="space-y-4">
      <div>
        <BackLink />
        <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
          <div className="min-w-0">
            <div className="flex flex-wrap items-center gap-2.5">
              <Badge tone={statusTone[i.status] ?? "neutral"} className="h-6 px-2 text-xs">
                {statusText[i.status] ?? i.status}
              </Badge>
              <h1 className="min-w-0 truncate text-lg font-semibold tracking-tight" data-testid="instance-name">
                {i.name}
              </h1>
            </div>
            <p className="mt-1.5 flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-ink-3">
              <span>
                for{" "}
                <Link href={`/runs?customerId=${i.customer.id}`} className="font-medium text-ink-2 hover:underline">
                  {customer}
                </Link>
              </span>
              <span aria-hidden>·</span>
              <Link href={`/integrations/${encodeURIComponent(i.integration.key)}`} className="hover:underline">
                {i.integration.name}
              </Link>
              <span aria-hidden>·</span>
              <span>v{i.version.number}</span>
            </p>
          </div>
          <div className="flex flex-wrap items-center gap-2">
            <Link href={`/runs?instanceId=${i.id}`} className={buttonClass("secondary", "sm")}>
              <ListChecks aria-hidden /> Runs
            </Link>
            {canEdit ? (
              <Link href={`/instances/${i.id}/configure`} className={buttonClass("secondary", "sm")}>
                <SlidersHorizontal aria-hidden /> Configure
              </Link>
            ) : null}
          </div>
        </div>
        {i.statusReason ? (
          <p role="status" className="mt-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {i.statusReason}
          </p>
        ) : null}
      </div>

      <Card>
        <dl className="grid grid-cols-2 gap-x-6 gap-y-4 px-4 py-4 sm:grid-cols-3 lg:grid-cols-5">
          <Fact label="Customer">
            <span className="block truncate">{customer}</span>
            <span className="block truncate font-mono text-2xs text-ink-3">{i.customer.externalId}</span>
          </Fact>
          <Fact label="Integration">
            <span className="block truncate">{i.integration.name}</span>
            <span className="block text-2xs text-ink-3">version {i.version.number}</span>
          </Fact>
          <Fact label="Runs, last 24 h">
            <Link href={`/runs?instanceId=${i.id}`} className="tabular hover:underline">
              {i.recentRuns.total}
            </Link>
            {i.recentRuns.failed > 0 ? (
              <Link href={`/runs?instanceId=${i.id}&status=FAILED`} className="ml-2 text-xs text-red-700 hover:underline">
                {i.recentRuns.failed} failed
              </Link>
            ) : null}
          </Fact>
          <Fact label="Deployed">
            <RelativeTime date={i.createdAt} />
          </Fact>
          <Fact label="Instance id">
            <span className="flex items-center gap-1">
              <span className="truncate font-mono text-xs text-ink-2">{i.id}</span>
              <CopyButton value={i.id} label="Copy instance id" />
            </span>
          </Fact>
        </dl>
      </Card>

      <WebhooksCard instance={i} canEdit={canEdit} />

      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader title="Connections" count={i.connections.length} />
          {i.connections.length === 0 ? (
            <p className="px-4 py-3 text-sm text-ink-3">This integration uses no connected accounts.</p>
          ) : (
            <ul className="divide-y divide-line">
              {i.connections.map((c) => (
                <li key={c.key} className="flex items-center justify-between gap-3 px-4 py-2.5">
                  <div className="min-w-0">
                    <span className="block truncate font-mono text-xs text-ink">{c.key}</span>
                    <span className="block truncate text-xs text-ink-3">
                      {c.appKey}
                      {c.label ? ` · ${c.label}` : ""}
                    </span>
                  </div>
                  <Badge tone={connectionTone[c.status] ?? "neutral"}>{c.status.toLowerCase()}</Badge>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card>
          <CardHeader title="Flows" count={i.flows.length} />
          <ul className="divide-y divide-line">
            {i.flows.map((f) => (
              <li key={f.key} className="flex items-center justify-between gap-3 px-4 py-2.5">
                <div className="min-w-0">
                  <span className="block truncate text-sm text-ink">{f.name}</span>
                  <span className="block truncate font-mono text-2xs text-ink-3">{f.key}</span>
                </div>
                <span className="shrink-0 text-xs text-ink-3">{f.trigger}</span>
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </article>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-2xs font-medium tracking-wide text-ink-3 uppercase">{label}</dt>
      <dd className="mt-1 min-w-0 text-sm text-ink">{children}</dd>
    </div>
  );
}

function InstanceDetailSkeleton() {
  return (
    <div className="space-y-4" aria-busy="true" aria-label="Loading instance">
      <Skeleton className="h-3 w-20" />
      <div className="space-y-2">
        <Skeleton className="h-6 w-64" />
        <Skeleton className="h-4 w-80 max-w-full" />
      </div>
      <Skeleton className="h-20 w-full" />
      <Skeleton className="h-40 w-full" />
      <div className="grid gap-4 lg:grid-cols-2">
        <Skeleton className="h-28 w-full" />
        <Skeleton className="h-28 w-full" />
      </div>
    </div>
  );
}
