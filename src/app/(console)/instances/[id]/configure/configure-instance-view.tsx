"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2 } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { buttonClass } from "@/components/button";
import { ConfigWizard } from "@/components/config-wizard";
import { ErrorPanel } from "@/components/error-panel";
import { PageHeader } from "@/components/page-header";
import { Skeleton } from "@/components/skeleton";
import { useTRPC } from "@/trpc/react";
import { connectionTitle } from "../../new/connections-step";
import { useConsoleWizard } from "../../new/console-wizard";

/** Editing a deployed instance's config with the same wizard it was set up with, against its own version's schema. */
export function ConfigureInstanceView({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const setup = useQuery(trpc.instances.setup.queryOptions({ instanceId: id }));
  const form = useQuery({ ...trpc.configForms.get.queryOptions({ versionId: setup.data?.version.id ?? "" }), enabled: !!setup.data });
  const save = useMutation(trpc.instances.updateConfig.mutationOptions());
  const tools = useConsoleWizard(setup.data ? { versionId: setup.data.version.id, customerId: setup.data.customer.id, connections: setup.data.connections } : null);
  const [saved, setSaved] = useState(0);

  const s = setup.data;
  const customerName = s ? (s.customer.name ?? s.customer.externalId) : "";
  return (
    <>
      <PageHeader
        eyebrow={
          <span className="flex min-w-0 items-center gap-1">
            <Link href="/instances" className="hover:text-ink hover:underline">
              Instances
            </Link>
            {s ? (
              <>
                <span aria-hidden>/</span>
                <Link href={`/instances/${id}`} className="truncate hover:text-ink hover:underline">
                  {s.name}
                </Link>
              </>
            ) : null}
          </span>
        }
        title={s ? `Configure ${s.name}` : "Configure instance"}
        description={s ? `${s.integration.name} · v${s.version.number} for ${customerName}. Saving applies to the next run.` : undefined}
      />
      <div className="max-w-3xl">
        {setup.isPending || (setup.isSuccess && form.isPending) ? (
          <div aria-busy="true" aria-label="Loading the instance's settings" className="space-y-5 rounded-lg border border-line bg-surface px-5 py-4">
            <Skeleton className="h-4 w-40" />
            {[0, 1].map((i) => (
              <div key={i} className="space-y-1.5">
                <Skeleton className="h-3 w-24" />
                <Skeleton className="h-8 w-full" />
                <Skeleton className="h-3 w-56" />
              </div>
            ))}
          </div>
        ) : setup.isError ? (
          <ErrorPanel error={setup.error} onRetry={() => setup.refetch()} title="Could not load this instance" />
        ) : form.isError ? (
          <ErrorPanel error={form.error} onRetry={() => form.refetch()} title="Could not load the integration's settings" />
        ) : s && form.data ? (
          <>
            {saved > 0 ? (
              <div role="status" className="mb-4 flex flex-col gap-3 rounded-lg border border-emerald-200 bg-emerald-50/60 px-4 py-3 sm:flex-row sm:items-center sm:justify-between" data-testid="config-saved">
                <p className="flex items-center gap-2 text-sm font-medium text-emerald-900">
                  <CheckCircle2 className="size-4 shrink-0" aria-hidden /> Config saved. The next run uses it.
                </p>
                <div className="flex gap-2">
                  <Link href={`/instances/${id}`} className={buttonClass("secondary", "sm")}>
                    Open instance
                  </Link>
                  <Link href="/instances" className={buttonClass("ghost", "sm")}>
                    All instances
                  </Link>
                </div>
              </div>
            ) : null}
            <ConfigWizard
              key={saved}
              configSchema={form.data.configSchema}
              configForm={form.data.configForm}
              initialConfig={s.config}
              connections={s.connections}
              connectionLabels={Object.fromEntries(Object.entries(form.data.connections).map(([k, d]) => [k, connectionTitle(k, d)]))}
              loadOptions={tools.loadOptions}
              describeError={tools.describeError}
              submitLabel="Save config"
              review={{}}
              onSubmit={async (config) => {
                await save.mutateAsync({ instanceId: id, config });
                await Promise.all([
                  queryClient.invalidateQueries({ queryKey: trpc.instances.setup.queryKey({ instanceId: id }) }),
                  queryClient.invalidateQueries({ queryKey: trpc.instances.list.queryKey() }),
                ]);
                setSaved((n) => n + 1);
              }}
            />
          </>
        ) : null}
      </div>
    </>
  );
}
