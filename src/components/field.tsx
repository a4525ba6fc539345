import { forwardRef, type ComponentProps, type ReactNode } from "react";
import { cn } from "./cn";

const control =
  "block rounded-md border border-line-strong bg-surface px-2.5 text-sm text-ink shadow-xs placeholder:text-ink-3 " +
  "focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-accent disabled:bg-zinc-50 disabled:text-ink-3 " +
  "aria-invalid:border-red-400";

// Full width unless the caller sets a width (two width utilities would fight by CSS order).
const width = (className?: string) => (/(^|\s)([\w-]+:)?w-/.test(className ?? "") ? undefined : "w-full");

export const Input = forwardRef<HTMLInputElement, ComponentProps<"input">>(function Input({ className, ...rest }, ref) {
  return <input ref={ref} className={cn(control, width(className), "h-9 sm:h-8", className)} {...rest} />;
});

export const Select = forwardRef<HTMLSelectElement, ComponentProps<"select">>(function Select(
  { className, ...rest },
  ref,
) {
  return <select ref={ref} className={cn(control, width(className), "h-9 pr-7 sm:h-8", className)} {...rest} />;
});

export function Label({ className, ...rest }: ComponentProps<"label">) {
  return <label className={cn("mb-1 block text-xs font-medium text-ink-2", className)} {...rest} />;
}

/** Label + control + hint/error, wired by id. */
export function Field({
  id,
  label,
  hint,
  error,
  children,
  className,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string | null;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={className}>
      <Label htmlFor={id}>{label}</Label>
      {children}
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-xs text-red-600">
          {error}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-ink-3">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** A form-level message (e.g. wrong password). */
export function FormAlert({ children, tone = "error" }: { children: ReactNode; tone?: "error" | "info" }) {
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={cn(
        "rounded-md border px-3 py-2 text-sm",
        tone === "error" ? "border-red-200 bg-red-50 text-red-800" : "border-blue-200 bg-blue-50 text-blue-800",
      )}
    >
      {children}
    </div>
  );
}
