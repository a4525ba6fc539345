"use client";

import { ScrollText } from "lucide-react";
import { useState } from "react";
import { Card, CardHeader } from "@/components/card";
import { cn } from "@/components/cn";
import { Select } from "@/components/field";
import { formatAbsolute, formatClock } from "@/components/format";
import type { ExecutionDetail } from "@/trpc/types";

type Log = ExecutionDetail["logs"][number];

const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
const levelClass: Record<string, string> = {
  DEBUG: "text-zinc-400",
  INFO: "text-sky-700",
  WARN: "text-amber-700",
  ERROR: "text-red-700",
};

export function LogsPanel({ logs, truncated = false }: { logs: Log[]; truncated?: boolean }) {
  const [min, setMin] = useState<(typeof LEVELS)[number]>("DEBUG");
  const floor = LEVELS.indexOf(min);
  const shown = logs.filter((l) => LEVELS.indexOf(l.level as (typeof LEVELS)[number]) >= floor);

  return (
    <Card>
      <CardHeader
        id="logs"
        title="Logs"
        count={truncated ? `${logs.length}+` : logs.length}
        actions={
          logs.length > 0 ? (
            <label className="flex items-center gap-2 text-xs text-ink-3">
              <span className="hidden sm:inline">Level</span>
              <Select value={min} onChange={(e) => setMin(e.target.value as typeof min)} className="h-7 w-auto text-xs sm:h-7" aria-label="Minimum log level">
                <option value="DEBUG">All</option>
                <option value="INFO">Info and up</option>
                <option value="WARN">Warnings and errors</option>
                <option value="ERROR">Errors only</option>
              </Select>
            </label>
          ) : null
        }
      />
      {logs.length === 0 ? (
        <div className="flex items-center gap-2 px-4 py-6 text-sm text-ink-3">
          <ScrollText className="size-4" aria-hidden /> No log lines. Integrations write them with ctx.log.
        </div>
      ) : shown.length === 0 ? (
        <div className="px-4 py-6 text-sm text-ink-3">No log lines at this level.</div>
      ) : (
        <ol className="max-h-[28rem] overflow-auto py-1 font-mono text-xs leading-5">
          {shown.map((log) => (
            <LogLine key={log.id} log={log} />
          ))}
          {truncated ? (
            <li className="px-4 py-2 font-sans text-ink-3">Only the first {logs.length.toLocaleString()} log lines are shown; this run wrote more.</li>
          ) : null}
        </ol>
      )}
    </Card>
  );
}

function LogLine({ log }: { log: Log }) {
  const hasData = log.data !== null && log.data !== undefined && !(typeof log.data === "object" && Object.keys(log.data as object).length === 0);
  return (
    <li className={cn("flex flex-wrap gap-x-3 px-4 py-1 hover:bg-zinc-50 sm:py-0.5", log.level === "ERROR" && "bg-red-50/50")}>
      <time dateTime={log.at.toISOString()} title={formatAbsolute(log.at)} className="shrink-0 text-ink-3 tabular">
        {formatClock(log.at)}
      </time>
      <span className={cn("w-10 shrink-0 font-semibold", levelClass[log.level] ?? "text-ink-3")}>{log.level}</span>
      {log.stepName ? <span className="shrink-0 text-violet-700">[{log.stepName}]</span> : null}
      <span className="min-w-0 basis-full break-words whitespace-pre-wrap text-ink sm:flex-1 sm:basis-0">{log.message}</span>
      {hasData ? <span className="basis-full break-all text-ink-3 sm:pl-[9.25rem]">{JSON.stringify(log.data)}</span> : null}
    </li>
  );
}
