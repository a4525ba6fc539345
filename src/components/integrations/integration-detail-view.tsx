"use client";

import { useQuery } from "@tanstack/react-query";
import { ArrowLeft, FileQuestion, PackageOpen } from "lucide-react";
import Link from "next/link";
import { toUiError } from "@/trpc/errors";
import { useTRPC } from "@/trpc/react";
import { Badge } from "../badge";
import { buttonClass } from "../button";
import { EmptyState } from "../empty-state";
import { ErrorPanel } from "../error-panel";
import { PageHeader } from "../page-header";
import { Skeleton } from "../skeleton";
import { RolloutPanel } from "./rollout-panel";
import type { IntegrationDetail } from "./types";
import { useIntegrationActions } from "./use-integration-actions";
import { VersionCard } from "./version-card";
import { VisibilityControl } from "./visibility-control";

function BackLink() {
  return (
    <Link href="/integrations" className="inline-flex items-center gap-1 rounded text-xs text-ink-3 hover:text-ink">
      <ArrowLeft className="size-3.5" aria-hidden /> Integrations
    </Link>
  );
}

/**
 * An integration's versions (manifest, instances, actions) and its rollouts. `canEdit` is the
 * member's role (BUILDER or OWNER); support sees the same page without actions.
 */
export function IntegrationDetailView({ integrationKey, canEdit }: { integrationKey: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const q = useQuery({
    ...trpc.integrations.detail.queryOptions({ key: integrationKey }),
    // A rollout step moves instances in batches (poll its progress); a canary's failure rates move while runs finish.
    refetchInterval: (query) => {
      const rollouts = query.state.data?.rollouts ?? [];
      if (rollouts.some((r) => r.progress?.running)) return 2_000;
      return rollouts.some((r) => r.status === "CANARY") ? 10_000 : false;
    },
  });

  if (q.isPending) return <DetailSkeleton />;
  if (q.isError) {
    if (toUiError(q.error).code === "NOT_FOUND")
      return (
        <>
          <div className="mb-3">
            <BackLink />
          </div>
          <EmptyState icon={FileQuestion} title="Integration not found" action={<Link href="/integrations" className={buttonClass("secondary")}>All integrations</Link>}>
            There is no integration with the key <code className="font-mono text-xs">{integrationKey}</code> in your organization.
          </EmptyState>
        </>
      );
    return (
      <>
        <div className="mb-3">
          <BackLink />
        </div>
        <ErrorPanel error={q.error} onRetry={() => q.refetch()} title="Could not load this integration" />
      </>
    );
  }
  return <DetailData detail={q.data} canEdit={canEdit} />;
}

function DetailData({ detail, canEdit }: { detail: IntegrationDetail; canEdit: boolean }) {
  const actions = useIntegrationActions();
  const latest = detail.versions.find((v) => v.status === "PUBLISHED")?.number ?? null;
  const rolloutOpen = detail.rollouts.some((r) => r.status === "CANARY");
  return (
    <>
      <PageHeader
        eyebrow={<BackLink />}
        title={
          <span className="flex flex-wrap items-center gap-2">
            {detail.name}
            <span className="font-mono text-xs font-normal text-ink-3">{detail.key}</span>
            <Badge>{detail.category}</Badge>
          </span>
        }
        description={detail.description || undefined}
        actions={<VisibilityControl detail={detail} canEdit={canEdit} actions={actions} />}
      />
      {!canEdit ? (
        <p className="mb-4 rounded-md border border-line bg-zinc-50 px-3 py-2 text-xs text-ink-3">
          Read only: builders and owners upgrade, pause and roll out versions.
        </p>
      ) : null}
      <RolloutPanel detail={detail} canEdit={canEdit} actions={actions} />
      {detail.versions.length === 0 ? (
        <EmptyState icon={PackageOpen} title="No versions yet">
          Publish one with <code className="font-mono text-xs">npx portico publish ./integrations/{detail.key}</code>.
        </EmptyState>
      ) : (
        <div className="space-y-4">
          <h2 className="text-sm font-semibold text-ink">
            Versions <span className="rounded bg-zinc-100 px-1.5 text-2xs font-medium text-ink-3 tabular">{detail.versions.length}</span>
          </h2>
          {detail.versions.map((v) => (
            <VersionCard
              key={v.id}
              version={v}
              versions={detail.versions}
              instances={detail.instances.filter((i) => i.versionId === v.id)}
              latest={v.number === latest}
              canEdit={canEdit}
              rolloutOpen={rolloutOpen}
              actions={actions}
            />
          ))}
        </div>
      )}
    </>
  );
}

function DetailSkeleton() {
  return (
    <div role="status" aria-live="polite" aria-label="Loading integration">
      <div className="mb-5 space-y-2">
        <Skeleton className="h-3 w-20" />
        <Skeleton className="h-5 w-64" />
        <Skeleton className="h-3.5 w-96 max-w-full" />
      </div>
      <div className="space-y-4">
        {[0, 1].map((n) => (
          <div key={n} className="rounded-lg border border-line bg-surface">
            <div className="space-y-2 border-b border-line px-4 py-3">
              <Skeleton className="h-4 w-28" />
              <Skeleton className="h-3 w-72 max-w-full" />
            </div>
            <div className="grid gap-4 px-4 py-3 md:grid-cols-3">
              {[0, 1, 2].map((c) => (
                <div key={c} className="space-y-2">
                  <Skeleton className="h-2.5 w-16" />
                  <Skeleton className="h-3.5 w-40" />
                  <Skeleton className="h-3 w-28" />
                </div>
              ))}
            </div>
            <div className="space-y-2 border-t border-line px-4 py-3">
              <Skeleton className="h-3.5 w-48" />
              <Skeleton className="h-3.5 w-40" />
            </div>
          </div>
        ))}
      </div>
    </div>
  );
}
