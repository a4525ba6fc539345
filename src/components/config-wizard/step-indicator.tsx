import { Check } from "lucide-react";
import { cn } from "../cn";

export interface WizardStep {
  label: string;
  /** Going back to a finished step; omitted for steps that cannot be revisited. */
  onSelect?: () => void;
}

/**
 * Where the user is in a multi-step form. From `sm` up a numbered list; on phones one line
 * ("Step 3 of 6 · Warehouse") and a bar, since six labels do not fit in 375 px.
 */
export function StepIndicator({ steps, current, className }: { steps: WizardStep[]; current: number; className?: string }) {
  const total = steps.length;
  const here = steps[current];
  return (
    <nav aria-label="Progress" className={cn("mb-5", className)}>
      <div className="sm:hidden">
        <p className="text-xs text-ink-3">
          Step {current + 1} of {total}
          {here ? <span className="font-medium text-ink"> · {here.label}</span> : null}
        </p>
        <div className="mt-1.5 h-1 overflow-hidden rounded-full bg-zinc-200" aria-hidden>
          <div className="h-full rounded-full bg-accent transition-all" style={{ width: `${((current + 1) / total) * 100}%` }} />
        </div>
      </div>
      <ol className="hidden flex-wrap items-center gap-x-2 gap-y-2 sm:flex">
        {steps.map((step, i) => {
          const state = i < current ? "done" : i === current ? "current" : "upcoming";
          const body = (
            <>
              <span
                className={cn(
                  "flex size-5 shrink-0 items-center justify-center rounded-full text-2xs font-semibold tabular",
                  state === "done" && "bg-accent text-white",
                  state === "current" && "bg-accent-soft text-accent ring-1 ring-accent",
                  state === "upcoming" && "bg-zinc-100 text-ink-3",
                )}
                aria-hidden
              >
                {state === "done" ? <Check className="size-3" /> : i + 1}
              </span>
              <span className={cn("truncate text-xs", state === "current" ? "font-medium text-ink" : state === "done" ? "text-ink-2" : "text-ink-3")}>
                {step.label}
              </span>
              <span className="sr-only">{state === "done" ? " (done)" : state === "current" ? " (current step)" : ""}</span>
            </>
          );
          return (
            <li key={`${i}-${step.label}`} className="flex min-w-0 items-center gap-2" aria-current={state === "current" ? "step" : undefined}>
              {state === "done" && step.onSelect ? (
                <button type="button" onClick={step.onSelect} className="flex min-w-0 items-center gap-1.5 rounded-md px-1 py-0.5 hover:bg-zinc-100">
                  {body}
                </button>
              ) : (
                <span className="flex min-w-0 items-center gap-1.5 px-1 py-0.5">{body}</span>
              )}
              {i < total - 1 ? <span className="h-px w-4 shrink-0 bg-line-strong" aria-hidden /> : null}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
