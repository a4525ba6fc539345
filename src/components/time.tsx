"use client";

import { useEffect, useState } from "react";
import { formatAbsolute, formatRelative } from "./format";

// One shared ticker so a table of 50 timestamps re-renders once per interval, not 50 times.
let listeners = new Set<(now: number) => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(fn: (now: number) => void) {
  listeners.add(fn);
  if (!timer) timer = setInterval(() => listeners.forEach((l) => l(Date.now())), 15_000);
  return () => {
    listeners.delete(fn);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
      listeners = new Set();
    }
  };
}

export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => subscribe(setNow), []);
  return now;
}

/** Relative time ("3 min. ago") with the absolute timestamp in the tooltip and for machines. */
export function RelativeTime({ date, className }: { date: Date | null | undefined; className?: string }) {
  const now = useNow();
  if (!date) return <span className={className}>—</span>;
  return (
    <time dateTime={date.toISOString()} title={formatAbsolute(date)} className={className} suppressHydrationWarning>
      {formatRelative(date, now)}
    </time>
  );
}
