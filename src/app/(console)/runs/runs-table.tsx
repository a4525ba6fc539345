"use client";

import Link from "next/link";
import { Badge } from "@/components/badge";
import { DataTable, HeaderLabel, TBody, Td, Th, THead, Tr, type SkeletonColumn } from "@/components/data-table";
import { formatDuration } from "@/components/format";
import { StatusBadge } from "@/components/status-badge";
import { RelativeTime } from "@/components/time";
import type { ExecutionListItem } from "@/trpc/types";

// Columns shared with the skeleton so loading and loaded tables line up. Narrow screens keep
// status, the run itself and its duration; the rest folds into the run cell.
export const runsColumns: SkeletonColumn[] = [
  { header: "Status", width: "w-20", className: "w-px" },
  { header: "Integration · flow", shortHeader: "Run", width: "w-40", twoLine: true },
  { header: "Customer", width: "w-28", className: "hidden md:table-cell" },
  { header: "Reference", width: "w-20", className: "hidden lg:table-cell" },
  { header: "Started", width: "w-16", className: "hidden sm:table-cell" },
  { header: "Duration", shortHeader: "Time", width: "w-12", className: "w-px text-right" },
  { header: "Error", width: "w-20", className: "hidden lg:table-cell" },
];

const col = (i: number) => runsColumns[i]?.className;

export function RunsTable({ rows }: { rows: ExecutionListItem[] }) {
  return (
    <DataTable label="Runs">
      <THead>
        <tr>
          {runsColumns.map((c) => (
            <Th key={c.header} className={c.className}>
              <HeaderLabel column={c} />
            </Th>
          ))}
        </tr>
      </THead>
      <TBody>
        {rows.map((run) => (
          <RunRow key={run.id} run={run} />
        ))}
      </TBody>
    </DataTable>
  );
}

function RunRow({ run }: { run: ExecutionListItem }) {
  const customer = run.customer.name ?? run.customer.externalId;
  const started = run.startedAt ?? run.queuedAt;
  return (
    // The link in the integration cell stretches over the whole row: one tab stop per run,
    // and a click anywhere on the row opens it.
    <Tr data-testid="run-row" className="relative">
      <Td className={col(0)}>
        <StatusBadge status={run.status} />
      </Td>
      <Td className="max-w-0 py-1.5 sm:min-w-52">
        <Link
          href={`/runs/${run.id}`}
          className="block truncate font-medium text-ink after:absolute after:inset-0 focus-visible:outline-none focus-visible:after:outline-2 focus-visible:after:-outline-offset-2 focus-visible:after:outline-accent"
        >
          {run.integration.name}
        </Link>
        <span className="block truncate text-xs text-ink-3">
          <span className="font-mono">{run.flowKey}</span>
          <span className="md:hidden"> · {customer}</span>
          <span className="sm:hidden">
            {" · "}
            <RelativeTime date={started} />
          </span>
        </span>
      </Td>
      <Td className={`${col(2)} max-w-44`}>
        <span className="block truncate text-ink-2" title={run.customer.externalId}>
          {customer}
        </span>
      </Td>
      <Td className={`${col(3)} max-w-36`}>
        {run.reference ? (
          <span className="block truncate font-mono text-xs text-ink-2" title={run.reference}>
            {run.reference}
          </span>
        ) : (
          <span className="text-ink-3">—</span>
        )}
      </Td>
      <Td className={`${col(4)} whitespace-nowrap text-ink-2`}>
        <RelativeTime date={started} />
      </Td>
      <Td className={`${col(5)} font-mono text-xs whitespace-nowrap text-ink-2 tabular`}>{formatDuration(run.durationMs)}</Td>
      <Td className={col(6)}>
        {run.errorClass ? (
          <span title={run.errorMessage ?? undefined}>
            <Badge tone="red" className="font-mono">
              {run.errorClass}
            </Badge>
          </span>
        ) : (
          <span className="text-ink-3">—</span>
        )}
      </Td>
    </Tr>
  );
}
