import { cn } from "./cn";

/** The Portico mark: an arch (a portico) drawn in two strokes. */
export function Logo({ className, withName = true }: { className?: string; withName?: boolean }) {
  return (
    <span className={cn("inline-flex items-center gap-2 font-semibold tracking-tight text-ink", className)}>
      <span className="flex size-6 items-center justify-center rounded-md bg-ink text-white">
        <svg viewBox="0 0 16 16" className="size-3.5" aria-hidden fill="none" stroke="currentColor" strokeWidth="2">
          <path d="M3 14V7a5 5 0 0 1 10 0v7" strokeLinecap="round" />
          <path d="M8 14V9" strokeLinecap="round" />
        </svg>
      </span>
      {withName ? <span>Portico</span> : null}
    </span>
  );
}
