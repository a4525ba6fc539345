import type { ReactNode } from "react";
import { cn } from "./cn";

export function Card({ children, className }: { children: ReactNode; className?: string }) {
  return <section className={cn("rounded-lg border border-line bg-surface", className)}>{children}</section>;
}

export function CardHeader({ title, actions, id, count }: { title: string; actions?: ReactNode; id?: string; count?: number | string }) {
  return (
    <div className="flex items-center justify-between gap-3 border-b border-line px-4 py-2.5">
      <h2 id={id} className="flex items-center gap-2 text-sm font-semibold text-ink">
        {title}
        {count != null ? <span className="rounded bg-zinc-100 px-1.5 text-2xs font-medium text-ink-3 tabular">{count}</span> : null}
      </h2>
      {actions ? <div className="flex items-center gap-2">{actions}</div> : null}
    </div>
  );
}
