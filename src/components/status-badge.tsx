import { Ban, CheckCircle2, CircleDashed, Loader, RotateCw, XCircle, type LucideIcon } from "lucide-react";
import type { ComponentProps } from "react";
import { cn } from "./cn";
import { toneClass, type Tone } from "./badge";

export const EXECUTION_STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "RETRYING", "CANCELLED"] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

// Colour is never the only signal: each status also has its own icon and its name as text.
const look: Record<ExecutionStatus, { tone: Tone; icon: LucideIcon; spin?: boolean }> = {
  QUEUED: { tone: "violet", icon: CircleDashed },
  RUNNING: { tone: "blue", icon: Loader, spin: true },
  SUCCEEDED: { tone: "green", icon: CheckCircle2 },
  FAILED: { tone: "red", icon: XCircle },
  RETRYING: { tone: "amber", icon: RotateCw },
  CANCELLED: { tone: "muted", icon: Ban },
};

export const statusLabel: Record<ExecutionStatus, string> = {
  QUEUED: "Queued",
  RUNNING: "Running",
  SUCCEEDED: "Succeeded",
  FAILED: "Failed",
  RETRYING: "Retrying",
  CANCELLED: "Cancelled",
};

/** Dot colour per status, for compact places (filters, timelines). */
export const statusDot: Record<ExecutionStatus, string> = {
  QUEUED: "bg-violet-500",
  RUNNING: "bg-blue-500",
  SUCCEEDED: "bg-emerald-500",
  FAILED: "bg-red-500",
  RETRYING: "bg-amber-500",
  CANCELLED: "bg-zinc-400",
};

export function StatusBadge({
  status,
  className,
  ...rest
}: { status: ExecutionStatus | (string & {}) } & Omit<ComponentProps<"span">, "children">) {
  const known = (EXECUTION_STATUSES as readonly string[]).includes(status);
  const { tone, icon: Icon, spin } = known ? look[status as ExecutionStatus] : { tone: "neutral" as Tone, icon: CircleDashed };
  return (
    <span
      className={cn(
        "inline-flex h-5 items-center gap-1 rounded px-1.5 text-2xs font-semibold tracking-wide whitespace-nowrap ring-1 ring-inset",
        toneClass[tone],
        className,
      )}
      {...rest}
    >
      <Icon aria-hidden className={cn("size-3", spin && "animate-[spin_2s_linear_infinite]")} />
      {status}
    </span>
  );
}
