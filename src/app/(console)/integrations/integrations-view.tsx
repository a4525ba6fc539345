"use client";

import { useQuery } from "@tanstack/react-query";
import { Blocks } from "lucide-react";
import Link from "next/link";
import { Badge } from "@/components/badge";
import { Td, Tr } from "@/components/data-table";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { QueryTable } from "@/components/query-table";
import { useTRPC } from "@/trpc/react";

const columns = [
  { header: "Integration", width: "w-48", twoLine: true },
  { header: "Category", width: "w-20", className: "hidden sm:table-cell" },
  { header: "Latest version", width: "w-10", className: "hidden sm:table-cell" },
  { header: "Instances", width: "w-8", className: "text-right" },
];

export function IntegrationsView() {
  const trpc = useTRPC();
  const q = useQuery(trpc.integrations.list.queryOptions());
  return (
    <>
      <PageHeader title="Integrations" description="What your builders published. Each version is immutable; instances upgrade explicitly." />
      <QueryTable
        query={q}
        columns={columns}
        label="integrations"
        skeletonRows={5}
        empty={
          <EmptyState icon={Blocks} title="No integrations yet">
            Integrations appear when a builder publishes one with the CLI:{" "}
            <code className="font-mono text-xs">portico publish ./my-integration</code>.
          </EmptyState>
        }
      >
        {(items) =>
          items.map((i) => (
            <Tr key={i.id}>
              <Td className="max-w-0 min-w-56 py-2">
                <div className="flex min-w-0 items-baseline gap-2">
                  <Link href={`/integrations/${encodeURIComponent(i.key)}`} className="truncate font-medium text-ink hover:underline" data-testid="integration-link">
                    {i.name}
                  </Link>
                  <span className="hidden truncate font-mono text-2xs text-ink-3 md:inline">{i.key}</span>
                </div>
                {i.description ? <p className="truncate text-xs text-ink-3" title={i.description}>{i.description}</p> : null}
              </Td>
              <Td className="hidden sm:table-cell">{i.category ? <Badge>{i.category}</Badge> : <span className="text-ink-3">—</span>}</Td>
              <Td className="hidden font-mono text-xs sm:table-cell">
                {i.latestVersion != null ? `v${i.latestVersion}` : <span className="font-sans text-ink-3">unpublished</span>}
              </Td>
              <Td className="text-right tabular">{i.instanceCount}</Td>
            </Tr>
          ))
        }
      </QueryTable>
    </>
  );
}
