"use client";

import { AlertTriangle, LogIn, Lock, RefreshCw } from "lucide-react";
import Link from "next/link";
import { toUiError } from "@/trpc/errors";
import { Button, buttonClass } from "./button";
import { cn } from "./cn";

/** A failed load: what went wrong in words, and a retry when a retry can help. */
export function ErrorPanel({
  error,
  onRetry,
  title,
  className,
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
  className?: string;
}) {
  const ui = toUiError(error);
  const forbidden = ui.code === "FORBIDDEN";
  const signedOut = ui.code === "UNAUTHORIZED" || ui.code === "UNAUTHENTICATED";
  const Icon = forbidden ? Lock : AlertTriangle;
  return (
    <div
      role="alert"
      className={cn(
        "flex flex-col items-start gap-3 rounded-lg border px-4 py-4 sm:flex-row sm:items-center",
        forbidden ? "border-line bg-surface" : "border-red-200 bg-red-50/60",
        className,
      )}
    >
      <Icon aria-hidden className={cn("size-5 shrink-0", forbidden ? "text-ink-3" : "text-red-600")} />
      <div className="min-w-0 flex-1">
        <p className={cn("text-sm font-medium", forbidden ? "text-ink" : "text-red-900")}>
          {title ?? (forbidden ? "Not available for your role" : "Could not load this")}
        </p>
        <p className={cn("mt-0.5 text-sm break-words", forbidden ? "text-ink-3" : "text-red-800/80")}>{ui.message}</p>
      </div>
      {signedOut ? (
        <Link href="/signin" className={buttonClass("secondary", "sm")}>
          <LogIn aria-hidden /> Sign in
        </Link>
      ) : onRetry && !forbidden ? (
        <Button size="sm" onClick={onRetry}>
          <RefreshCw aria-hidden /> Retry
        </Button>
      ) : null}
    </div>
  );
}
