import type { ComponentProps, ReactNode } from "react";
import { cn } from "./cn";
import { Skeleton } from "./skeleton";

/**
 * Plain, accessible table primitives: real <table> semantics (screen readers announce headers),
 * horizontal scroll inside the card on narrow screens instead of squeezing columns.
 */
export function DataTable({ children, className, label }: { children: ReactNode; className?: string; label: string }) {
  return (
    <div className={cn("overflow-hidden rounded-lg border border-line bg-surface", className)}>
      <div className="overflow-x-auto">
        <table aria-label={label} className="w-full border-collapse text-left text-sm">
          {children}
        </table>
      </div>
    </div>
  );
}

export function THead({ children }: { children: ReactNode }) {
  return (
    <thead className="border-b border-line bg-zinc-50/80 text-2xs font-medium tracking-wide text-ink-3 uppercase">
      {children}
    </thead>
  );
}

export function Th({ className, ...rest }: ComponentProps<"th">) {
  return <th scope="col" className={cn("h-8 px-3 font-medium whitespace-nowrap first:pl-4 last:pr-4", className)} {...rest} />;
}

export function TBody({ children }: { children: ReactNode }) {
  return <tbody className="divide-y divide-line">{children}</tbody>;
}

export function Tr({ className, ...rest }: ComponentProps<"tr">) {
  return <tr className={cn("transition-colors hover:bg-zinc-50/80", className)} {...rest} />;
}

export function Td({ className, ...rest }: ComponentProps<"td">) {
  return <td className={cn("h-10 px-3 align-middle first:pl-4 last:pr-4", className)} {...rest} />;
}

export interface SkeletonColumn {
  header: string;
  /** Shorter header for phones, where the column is narrow. */
  shortHeader?: string;
  width?: string;
  className?: string;
  twoLine?: boolean;
}

/** A column header that can say less on phones. */
export function HeaderLabel({ column }: { column: SkeletonColumn }) {
  if (!column.shortHeader) return <>{column.header}</>;
  return (
    <>
      <span className="sm:hidden">{column.shortHeader}</span>
      <span className="hidden sm:inline">{column.header}</span>
    </>
  );
}

/** Header plus grey rows in the same columns as the loaded table, so nothing jumps on load. */
export function TableSkeleton({
  columns,
  rows = 8,
  label,
}: {
  /** Header text and a width class for each column's placeholder. */
  columns: SkeletonColumn[];
  rows?: number;
  label: string;
}) {
  return (
    <div role="status" aria-live="polite" aria-label={`Loading ${label}`}>
      <DataTable label={label}>
        <THead>
          <tr>
            {columns.map((c) => (
              <Th key={c.header} className={c.className}>
                <HeaderLabel column={c} />
              </Th>
            ))}
          </tr>
        </THead>
        <TBody>
          {Array.from({ length: rows }, (_, r) => (
            <tr key={r}>
              {columns.map((c) => (
                <Td key={c.header} className={c.className}>
                  <Skeleton className={cn("h-3.5", c.width ?? "w-24")} />
                  {c.twoLine ? <Skeleton className="mt-1.5 h-2.5 w-20" /> : null}
                </Td>
              ))}
            </tr>
          ))}
        </TBody>
      </DataTable>
    </div>
  );
}
