import { cn } from "./cn";

/** A grey placeholder block; screen readers skip it (the container says "Loading"). */
export function Skeleton({ className }: { className?: string }) {
  return <span aria-hidden className={cn("block animate-pulse rounded bg-zinc-200/70", className)} />;
}
