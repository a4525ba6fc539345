"use client";

import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { Activity, RefreshCw, SearchX, X } from "lucide-react";
import Link from "next/link";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { Button } from "@/components/button";
import { cn } from "@/components/cn";
import { TableSkeleton } from "@/components/data-table";
import { EmptyState } from "@/components/empty-state";
import { ErrorPanel } from "@/components/error-panel";
import { Input } from "@/components/field";
import { PageHeader } from "@/components/page-header";
import { EXECUTION_STATUSES, statusDot, statusLabel } from "@/components/status-badge";
import { useTRPC } from "@/trpc/react";
import type { ExecutionListItem } from "@/trpc/types";
import { runsHref, useRunFilters, type RunFilters } from "./run-filters";
import { RunsTable, runsColumns } from "./runs-table";

const REFRESH_MS = 5_000;
const PAGE_SIZE = 50;

export function RunsViewSkeleton() {
  return (
    <>
      <RunsHeader />
      <div className="mb-3 flex h-8 items-center gap-2" aria-hidden>
        {["All", ...EXECUTION_STATUSES.map((s) => statusLabel[s])].map((l) => (
          <span key={l} className="h-7 rounded-md border border-line bg-surface px-2.5 text-xs leading-7 text-ink-3">
            {l}
          </span>
        ))}
      </div>
      <TableSkeleton columns={runsColumns} rows={10} label="runs" />
    </>
  );
}

function RunsHeader({ actions }: { actions?: ReactNode }) {
  return (
    <PageHeader
      title="Runs"
      description="Every execution of every deployed integration, newest first."
      actions={actions}
    />
  );
}

export function RunsView() {
  const trpc = useTRPC();
  const filters = useRunFilters();
  const [live, setLive] = useState(true);

  const q = useInfiniteQuery({
    ...trpc.executions.list.infiniteQueryOptions(
      { ...filters.value, limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
    placeholderData: keepPreviousData,
    refetchInterval: live ? REFRESH_MS : false,
    // A hidden tab doesn't need fresh runs; focus refetches anyway.
    refetchIntervalInBackground: false,
  });

  const items: ExecutionListItem[] = q.data?.pages.flatMap((p) => p.items) ?? [];

  const actions = (
    <>
      <LastUpdated at={q.dataUpdatedAt} />
      <Button
        size="sm"
        variant="ghost"
        onClick={() => setLive((v) => !v)}
        aria-pressed={live}
        title={live ? "Refreshing every 5 s. Click to pause." : "Auto-refresh paused. Click to resume."}
      >
        <span
          aria-hidden
          className={cn("size-2 rounded-full", live ? "animate-pulse-dot bg-emerald-500" : "bg-zinc-300")}
        />
        {live ? "Live" : "Paused"}
      </Button>
      <Button size="sm" onClick={() => q.refetch()} disabled={q.isFetching && !q.isFetchingNextPage}>
        <RefreshCw aria-hidden className={cn(q.isFetching && !q.isFetchingNextPage && "animate-spin")} /> Refresh
      </Button>
    </>
  );

  return (
    <>
      <RunsHeader actions={actions} />
      <FilterBar filters={filters.value} onReference={(reference) => filters.set({ reference })} sample={items[0]} />
      <RunsBody
        q={q}
        items={items}
        filtersActive={filters.active}
        onClear={filters.clear}
      />
    </>
  );
}

function RunsBody({
  q,
  items,
  filtersActive,
  onClear,
}: {
  q: {
    isPending: boolean;
    isError: boolean;
    error: unknown;
    refetch: () => unknown;
    isPlaceholderData: boolean;
    hasNextPage: boolean;
    fetchNextPage: () => unknown;
    isFetchingNextPage: boolean;
  };
  items: ExecutionListItem[];
  filtersActive: boolean;
  onClear: () => void;
}) {
  if (q.isPending) return <TableSkeleton columns={runsColumns} rows={10} label="runs" />;
  if (q.isError && items.length === 0) return <ErrorPanel error={q.error} onRetry={() => q.refetch()} title="Could not load runs" />;
  if (items.length === 0) {
    return filtersActive ? (
      <EmptyState
        icon={SearchX}
        title="No runs match these filters"
        action={
          <Button onClick={onClear}>
            <X aria-hidden /> Clear filters
          </Button>
        }
      >
        Try another status or reference, or clear the filters to see every run.
      </EmptyState>
    ) : (
      <EmptyState icon={Activity} title="No runs yet">
        Runs appear when a webhook, event or schedule triggers a deployed integration. Send a request to a webhook URL
        from <Link href="/instances" className="font-medium text-ink-2 underline-offset-2 hover:underline">Instances</Link> to see the first one.
      </EmptyState>
    );
  }
  return (
    <div className={cn("transition-opacity", q.isPlaceholderData && "opacity-60")} aria-busy={q.isPlaceholderData}>
      {q.isError ? (
        // Keep showing what we have; a failed background refresh shouldn't blank the table.
        <ErrorPanel className="mb-3" error={q.error} onRetry={() => q.refetch()} title="Refreshing runs failed" />
      ) : null}
      <RunsTable rows={items} />
      <div className="mt-3 flex items-center justify-between text-xs text-ink-3">
        <span className="tabular">
          {items.length} run{items.length === 1 ? "" : "s"} shown
        </span>
        {q.hasNextPage ? (
          <Button size="sm" onClick={() => q.fetchNextPage()} loading={q.isFetchingNextPage}>
            Load more
          </Button>
        ) : (
          <span>End of list</span>
        )}
      </div>
    </div>
  );
}

function LastUpdated({ at }: { at: number }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
  if (!at) return null;
  const s = Math.max(0, Math.round((Date.now() - at) / 1000));
  return (
    <span className="hidden text-xs text-ink-3 tabular sm:inline" aria-live="off">
      Updated {s < 2 ? "just now" : `${s}s ago`}
    </span>
  );
}

function FilterBar({
  filters,
  onReference,
  sample,
}: {
  filters: RunFilters;
  onReference: (reference: string | undefined) => void;
  /** A loaded row, to name the instance/customer a filter points at. */
  sample?: ExecutionListItem;
}) {
  const [reference, setReference] = useState(filters.reference ?? "");
  const pushed = useRef(filters.reference);
  // Follow the URL when it changes from outside (back button, "clear filters"), but not when it
  // is our own debounced push arriving while the user keeps typing.
  useEffect(() => {
    if (filters.reference !== pushed.current) {
      pushed.current = filters.reference;
      setReference(filters.reference ?? "");
    }
  }, [filters.reference]);
  useEffect(() => {
    const next = reference.trim() || undefined;
    if (next === filters.reference) return;
    const t = setTimeout(() => {
      pushed.current = next;
      onReference(next);
    }, 300);
    return () => clearTimeout(t);
  }, [reference, filters.reference, onReference]);

  const statusOptions = [undefined, ...EXECUTION_STATUSES] as const;

  return (
    <div className="mb-3 flex flex-col gap-2 md:flex-row md:items-center md:justify-between">
      <nav aria-label="Filter by status" className="-mx-4 overflow-x-auto px-4 md:mx-0 md:px-0">
        <ul className="flex w-max items-center gap-1 rounded-lg border border-line bg-surface p-0.5">
          {statusOptions.map((status) => {
            const current = filters.status === status;
            return (
              <li key={status ?? "ALL"}>
                <Link
                  href={runsHref({ ...filters, status })}
                  replace
                  scroll={false}
                  aria-current={current ? "true" : undefined}
                  className={cn(
                    "flex h-7 items-center gap-1.5 rounded-md px-2.5 text-xs font-medium whitespace-nowrap transition-colors",
                    current ? "bg-zinc-900 text-white" : "text-ink-2 hover:bg-zinc-100 hover:text-ink",
                  )}
                >
                  {status ? <span className={cn("size-1.5 rounded-full", statusDot[status])} aria-hidden /> : null}
                  {status ? statusLabel[status] : "All"}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="flex flex-wrap items-center gap-2">
        {filters.instanceId ? (
          <FilterChip
            label="Instance"
            value={sample && sample.instance.id === filters.instanceId ? sample.instance.name : filters.instanceId}
            href={runsHref({ ...filters, instanceId: undefined })}
          />
        ) : null}
        {filters.customerId ? (
          <FilterChip
            label="Customer"
            value={
              sample && sample.customer.id === filters.customerId
                ? (sample.customer.name ?? sample.customer.externalId)
                : filters.customerId
            }
            href={runsHref({ ...filters, customerId: undefined })}
          />
        ) : null}
        <label className="relative block w-full md:w-56">
          <span className="sr-only">Filter by reference</span>
          <Input
            type="search"
            value={reference}
            onChange={(e) => setReference(e.target.value)}
            placeholder="Reference, e.g. order number"
            className="font-mono text-xs"
          />
        </label>
      </div>
    </div>
  );
}

function FilterChip({ label, value, href }: { label: string; value: string; href: string }) {
  return (
    <span className="inline-flex h-7 items-center gap-1 rounded-md border border-line bg-surface pr-0.5 pl-2 text-xs">
      <span className="text-ink-3">{label}:</span>
      <span className="max-w-40 truncate font-medium text-ink">{value}</span>
      <Link
        href={href}
        replace
        scroll={false}
        aria-label={`Remove ${label.toLowerCase()} filter`}
        className="flex size-6 items-center justify-center rounded text-ink-3 hover:bg-zinc-100 hover:text-ink"
      >
        <X className="size-3.5" aria-hidden />
      </Link>
    </span>
  );
}
