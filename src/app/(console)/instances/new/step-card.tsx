"use client";

import { ArrowLeft, ArrowRight } from "lucide-react";
import { useEffect, useRef, type FormEvent, type ReactNode } from "react";
import { Button } from "@/components/button";

/** One console step before the config pages, drawn like the wizard's own pages (a form: Enter = Next). */
export function StepCard({
  title,
  description,
  children,
  onBack,
  onNext,
  nextLabel = "Next",
  nextDisabled,
  busy,
  testId,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  onBack?: () => void;
  onNext: () => void;
  nextLabel?: string;
  nextDisabled?: boolean;
  busy?: boolean;
  testId?: string;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Arriving on a step puts keyboard and screen-reader focus on its title.
  useEffect(() => {
    if (document.activeElement && document.activeElement !== document.body) heading.current?.focus();
  }, [title]);
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!nextDisabled && !busy) onNext();
  }
  return (
    <form noValidate onSubmit={onSubmit} data-testid={testId} className="rounded-lg border border-line bg-surface">
      <div className="border-b border-line px-4 py-3 sm:px-5">
        <h2 ref={heading} tabIndex={-1} className="text-sm font-semibold text-ink outline-none">
          {title}
        </h2>
        {description ? <p className="mt-0.5 text-xs text-ink-3">{description}</p> : null}
      </div>
      <div className="px-4 py-4 sm:px-5">{children}</div>
      <div className="flex flex-col-reverse gap-2 rounded-b-lg border-t border-line bg-zinc-50/60 px-4 py-3 sm:flex-row sm:items-center sm:justify-between sm:px-5">
        {onBack ? (
          <Button onClick={onBack}>
            <ArrowLeft aria-hidden /> Back
          </Button>
        ) : (
          <span />
        )}
        <Button type="submit" variant="primary" disabled={nextDisabled} loading={busy} data-testid="step-next">
          {nextLabel} <ArrowRight aria-hidden />
        </Button>
      </div>
    </form>
  );
}

/** The loading state of a step: its real layout, greyed. */
export function ChoiceSkeleton({ rows = 4, label }: { rows?: number; label: string }) {
  return (
    <div className="grid gap-2 sm:grid-cols-2" aria-busy="true" aria-label={`Loading ${label}`}>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="flex items-start gap-3 rounded-lg border border-line px-3 py-3">
          <span className="mt-0.5 size-4 shrink-0 animate-pulse rounded-full bg-zinc-200/70" />
          <span className="flex-1 space-y-1.5">
            <span className="block h-3.5 w-2/3 animate-pulse rounded bg-zinc-200/70" />
            <span className="block h-3 w-1/2 animate-pulse rounded bg-zinc-200/70" />
          </span>
        </div>
      ))}
    </div>
  );
}
