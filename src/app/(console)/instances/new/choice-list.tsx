"use client";

import type { ReactNode } from "react";
import { cn } from "@/components/cn";

export interface Choice {
  value: string;
  title: ReactNode;
  meta?: ReactNode;
  description?: ReactNode;
  disabled?: boolean;
}

/**
 * A radio group drawn as cards: arrow keys move within it (native radios), Tab leaves it, and
 * Enter submits the surrounding form, i.e. goes to the next step.
 */
export function ChoiceList({ name, label, choices, value, onChange, error, testId }: { name: string; label: string; choices: Choice[]; value: string | null; onChange: (v: string) => void; error?: string | null; testId?: string }) {
  return (
    <fieldset data-testid={testId}>
      <legend className="sr-only">{label}</legend>
      <div className="grid gap-2 sm:grid-cols-2">
        {choices.map((c) => {
          const id = `${name}-${c.value}`;
          const checked = value === c.value;
          return (
            <label
              key={c.value}
              htmlFor={id}
              className={cn(
                "flex min-w-0 cursor-pointer items-start gap-3 rounded-lg border bg-surface px-3 py-2.5 transition-colors",
                checked ? "border-accent ring-1 ring-accent" : "border-line hover:border-line-strong hover:bg-zinc-50",
                c.disabled && "cursor-not-allowed opacity-60",
              )}
            >
              <input
                id={id}
                type="radio"
                name={name}
                value={c.value}
                checked={checked}
                disabled={c.disabled}
                onChange={() => onChange(c.value)}
                aria-invalid={error ? true : undefined}
                className="mt-0.5 size-4 shrink-0 accent-accent"
              />
              <span className="min-w-0 flex-1">
                <span className="flex min-w-0 items-center justify-between gap-2">
                  <span className="truncate text-sm font-medium text-ink">{c.title}</span>
                  {c.meta ? <span className="shrink-0 text-2xs text-ink-3">{c.meta}</span> : null}
                </span>
                {c.description ? <span className="mt-0.5 block text-xs text-ink-3">{c.description}</span> : null}
              </span>
            </label>
          );
        })}
      </div>
      {error ? (
        <p className="mt-2 text-xs text-red-600" role="alert" data-testid="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
