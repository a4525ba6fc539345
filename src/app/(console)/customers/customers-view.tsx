"use client";

import { useQuery } from "@tanstack/react-query";
import { Building2 } from "lucide-react";
import Link from "next/link";
import { Badge } from "@/components/badge";
import { Td, Tr } from "@/components/data-table";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { QueryTable } from "@/components/query-table";
import { RelativeTime } from "@/components/time";
import { useTRPC } from "@/trpc/react";

const columns = [
  { header: "Customer", width: "w-40" },
  { header: "External id", width: "w-24", className: "hidden sm:table-cell" },
  { header: "Labels", width: "w-24", className: "hidden md:table-cell" },
  { header: "Instances", width: "w-8", className: "text-right" },
  { header: "Added", width: "w-16", className: "hidden lg:table-cell" },
];

export function CustomersView() {
  const trpc = useTRPC();
  const q = useQuery(trpc.customers.list.queryOptions());
  return (
    <>
      <PageHeader title="Customers" description="Your own customers, by the id your product knows them by." />
      <QueryTable
        query={q}
        columns={columns}
        label="customers"
        skeletonRows={6}
        empty={
          <EmptyState icon={Building2} title="No customers yet">
            Customers appear the first time one opens the embedded marketplace, or when your backend creates them with{" "}
            <code className="font-mono text-xs">POST /api/v1/customers</code>.
          </EmptyState>
        }
      >
        {(items) =>
          items.map((c) => (
            <Tr key={c.id}>
              <Td className="max-w-0 min-w-44">
                <Link href={`/runs?customerId=${c.id}`} className="block truncate font-medium hover:underline" title="Show this customer's runs">
                  {c.name ?? c.externalId}
                </Link>
                <span className="block truncate font-mono text-2xs text-ink-3 sm:hidden">{c.externalId}</span>
              </Td>
              <Td className="hidden max-w-48 sm:table-cell">
                <span className="block truncate font-mono text-xs text-ink-2">{c.externalId}</span>
              </Td>
              <Td className="hidden md:table-cell">
                {c.labels.length ? (
                  <span className="flex flex-wrap gap-1">
                    {c.labels.map((l) => (
                      <Badge key={l}>{l}</Badge>
                    ))}
                  </span>
                ) : (
                  <span className="text-ink-3">—</span>
                )}
              </Td>
              <Td className="text-right tabular">{c.instanceCount}</Td>
              <Td className="hidden whitespace-nowrap text-ink-2 lg:table-cell">
                <RelativeTime date={c.createdAt} />
              </Td>
            </Tr>
          ))
        }
      </QueryTable>
    </>
  );
}
