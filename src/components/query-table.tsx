"use client";

import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { DataTable, HeaderLabel, TableSkeleton, TBody, Th, THead, type SkeletonColumn } from "./data-table";
import { ErrorPanel } from "./error-panel";

/**
 * A list page's table with its four states: skeleton in the loaded table's columns, an error with
 * Retry, the page's own empty state, and the rows. Pages keep only their columns and row markup.
 */
export function QueryTable<T, E = unknown>({
  query,
  columns,
  label,
  empty,
  skeletonRows = 6,
  children: renderRows,
}: {
  query: UseQueryResult<T[], E>;
  columns: SkeletonColumn[];
  /** Plural noun: "customers" → "Loading customers", "Could not load customers", the table's label. */
  label: string;
  empty: ReactNode;
  skeletonRows?: number;
  children: (items: T[]) => ReactNode;
}) {
  if (query.isPending) return <TableSkeleton columns={columns} rows={skeletonRows} label={label} />;
  if (query.isError) return <ErrorPanel error={query.error} onRetry={() => query.refetch()} title={`Could not load ${label}`} />;
  if (query.data.length === 0) return <>{empty}</>;
  return (
    <DataTable label={label.charAt(0).toUpperCase() + label.slice(1)}>
      <THead>
        <tr>
          {columns.map((c) => (
            <Th key={c.header || "actions"} className={c.className}>
              {c.header ? <HeaderLabel column={c} /> : <span className="sr-only">Actions</span>}
            </Th>
          ))}
        </tr>
      </THead>
      <TBody>{renderRows(query.data)}</TBody>
    </DataTable>
  );
}
