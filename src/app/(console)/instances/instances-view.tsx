"use client";

import { useQuery } from "@tanstack/react-query";
import { Boxes, Plus, SlidersHorizontal } from "lucide-react";
import Link from "next/link";
import { Badge, type Tone } from "@/components/badge";
import { buttonClass } from "@/components/button";
import { CopyButton } from "@/components/copy-button";
import { Td, Tr } from "@/components/data-table";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { QueryTable } from "@/components/query-table";
import { RelativeTime } from "@/components/time";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { useCurrentOrg } from "../use-current-org";

type Instance = RouterOutputs["instances"]["list"][number];

const statusTone: Record<string, Tone> = { ACTIVE: "green", PAUSED: "amber", NEEDS_ATTENTION: "red", DELETED: "muted" };
const statusText: Record<string, string> = { ACTIVE: "Active", PAUSED: "Paused", NEEDS_ATTENTION: "Needs attention", DELETED: "Deleted" };

const columns = [
  { header: "Instance", width: "w-40", twoLine: true },
  { header: "Customer", width: "w-28", className: "hidden md:table-cell" },
  { header: "Status", width: "w-16", className: "hidden sm:table-cell" },
  { header: "Webhook URLs", width: "w-64", className: "hidden sm:table-cell" },
  { header: "Created", width: "w-16", className: "hidden lg:table-cell" },
];

export function InstancesView() {
  const trpc = useTRPC();
  const q = useQuery(trpc.instances.list.queryOptions());
  // Deploying and configuring on a customer's behalf is a builder's action (the server checks too).
  const canEdit = useCurrentOrg().can("BUILDER");

  return (
    <>
      <PageHeader
        title="Instances"
        description="Integrations deployed for a customer, with the URLs that trigger their webhook flows."
        actions={
          canEdit ? (
            <Link href="/instances/new" className={buttonClass("primary")} data-testid="deploy-instance">
              <Plus aria-hidden /> Deploy an instance
            </Link>
          ) : null
        }
      />
      <QueryTable
        query={q}
        columns={columns}
        label="instances"
        skeletonRows={6}
        empty={
          <EmptyState icon={Boxes} title="No instances yet">
            An instance appears when a customer deploys an integration from the embedded marketplace, or when your
            backend creates one with <code className="font-mono text-xs">POST /api/v1/instances</code>.
          </EmptyState>
        }
      >
        {(items) =>
          items.map((i) => (
            <InstanceRow key={i.id} instance={i} canEdit={canEdit} />
          ))
        }
      </QueryTable>
    </>
  );
}

function InstanceRow({ instance: i, canEdit }: { instance: Instance; canEdit: boolean }) {
  return (
    <Tr className="align-top">
      <Td className="max-w-0 min-w-48 py-2">
        <div className="flex min-w-0 items-center justify-between gap-2">
          <Link href={`/instances/${i.id}`} className="truncate font-medium text-ink hover:underline" title="Open this instance">
            {i.name}
          </Link>
          <span className="flex shrink-0 items-center gap-1">
            {/* Phones have no status column. */}
            <span className="sm:hidden">
              <InstanceStatus status={i.status} />
            </span>
            {canEdit ? (
              <Link href={`/instances/${i.id}/configure`} className={buttonClass("ghost", "sm", "px-1.5")} aria-label={`Configure ${i.name}`} title="Configure">
                <SlidersHorizontal aria-hidden />
              </Link>
            ) : null}
          </span>
        </div>
        <span className="block truncate text-xs text-ink-3">
          {i.integration.name} · v{i.version.number}
          <span className="md:hidden"> · {i.customer.name ?? i.customer.externalId}</span>
        </span>
        {/* No room for a column on phones: the URLs go under the name. */}
        <div className="mt-1.5 sm:hidden">
          {i.statusReason ? <p className="mb-1 text-xs text-ink-3">{i.statusReason}</p> : null}
          <Webhooks webhooks={i.webhooks} />
        </div>
      </Td>
      <Td className="hidden max-w-48 py-2 md:table-cell">
        <span className="block truncate text-ink-2">{i.customer.name ?? i.customer.externalId}</span>
        <span className="block truncate font-mono text-2xs text-ink-3">{i.customer.externalId}</span>
      </Td>
      <Td className="hidden py-2 sm:table-cell">
        <span title={i.statusReason ?? undefined}>
          <InstanceStatus status={i.status} />
        </span>
        {i.statusReason ? <span className="mt-1 hidden max-w-48 truncate text-2xs text-ink-3 sm:block">{i.statusReason}</span> : null}
      </Td>
      <Td className="hidden max-w-0 min-w-72 py-2 sm:table-cell">
        <Webhooks webhooks={i.webhooks} />
      </Td>
      <Td className="hidden py-2 whitespace-nowrap text-ink-2 lg:table-cell">
        <RelativeTime date={i.createdAt} />
      </Td>
    </Tr>
  );
}

function Webhooks({ webhooks }: { webhooks: Instance["webhooks"] }) {
  if (webhooks.length === 0) return <span className="text-xs text-ink-3">No webhook flows</span>;
  return (
    <ul className="space-y-1">
      {webhooks.map((w) => (
        <li key={w.flowKey} className="flex min-w-0 items-center gap-2">
          <span className="w-16 shrink-0 truncate font-mono text-2xs text-ink-3 sm:w-24" title={w.flowKey}>
            {w.flowKey}
          </span>
          <code
            className="min-w-0 flex-1 truncate rounded bg-zinc-50 px-1.5 py-0.5 font-mono text-xs text-ink-2 ring-1 ring-line"
            title={w.url}
          >
            {w.url}
          </code>
          <CopyButton value={w.url} label={`Copy webhook URL of ${w.flowKey}`} />
        </li>
      ))}
    </ul>
  );
}

function InstanceStatus({ status }: { status: string }) {
  return <Badge tone={statusTone[status] ?? "neutral"}>{statusText[status] ?? status}</Badge>;
}
