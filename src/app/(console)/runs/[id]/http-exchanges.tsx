"use client";

import { ChevronRight, Globe } from "lucide-react";
import { useId, useState } from "react";
import { Card, CardHeader } from "@/components/card";
import { cn } from "@/components/cn";
import { formatAbsolute, formatDuration } from "@/components/format";
import { JsonView } from "@/components/json-view";
import type { ExecutionDetail } from "@/trpc/types";

type Exchange = ExecutionDetail["httpExchanges"][number];

function statusTone(status: number | null, error: string | null): string {
  if (error || status == null) return "bg-red-50 text-red-700 ring-red-200";
  if (status >= 500) return "bg-red-50 text-red-700 ring-red-200";
  if (status >= 400) return "bg-amber-50 text-amber-800 ring-amber-200";
  if (status >= 300) return "bg-blue-50 text-blue-700 ring-blue-200";
  return "bg-emerald-50 text-emerald-700 ring-emerald-200";
}

export function HttpExchanges({ exchanges, truncated = false }: { exchanges: Exchange[]; truncated?: boolean }) {
  return (
    <Card>
      <CardHeader id="http" title="HTTP exchanges" count={truncated ? `${exchanges.length}+` : exchanges.length} />
      {exchanges.length === 0 ? (
        <div className="flex items-center gap-2 px-4 py-6 text-sm text-ink-3">
          <Globe className="size-4" aria-hidden /> No outbound HTTP calls. Calls made with ctx.http appear here, secrets masked.
        </div>
      ) : (
        <ul className="divide-y divide-line">
          {exchanges.map((x) => (
            <ExchangeRow key={x.id} x={x} />
          ))}
          {truncated ? (
            <li className="px-4 py-2 text-xs text-ink-3">Only the first {exchanges.length.toLocaleString()} exchanges are shown; this run made more calls.</li>
          ) : null}
        </ul>
      )}
    </Card>
  );
}

function ExchangeRow({ x }: { x: Exchange }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <li>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((v) => !v)}
        className="grid w-full grid-cols-[auto_auto_minmax(0,1fr)_auto] items-center gap-x-2.5 px-4 py-2 text-left hover:bg-zinc-50 sm:grid-cols-[auto_3.5rem_3rem_minmax(0,1fr)_auto_4.5rem]"
      >
        <ChevronRight aria-hidden className={cn("size-3.5 text-ink-3 transition-transform", open && "rotate-90")} />
        <span className="hidden font-mono text-xs font-semibold text-ink-2 sm:inline">{x.method}</span>
        <span className={cn("inline-flex h-5 items-center justify-center rounded px-1.5 font-mono text-2xs font-semibold ring-1 ring-inset", statusTone(x.status, x.error))}>
          {x.status ?? "ERR"}
        </span>
        <span className="min-w-0 truncate font-mono text-xs text-ink" title={x.url}>
          <span className="font-semibold text-ink-2 sm:hidden">{x.method} </span>
          {x.url}
        </span>
        <span className="hidden max-w-40 truncate text-xs text-violet-700 sm:inline">{x.stepName ?? ""}</span>
        <span className="text-right font-mono text-xs text-ink-2 tabular">{formatDuration(x.durationMs)}</span>
      </button>
      {open ? (
        <div id={id} className="space-y-3 border-t border-line bg-zinc-50/40 px-4 py-3">
          <p className="text-xs text-ink-3">
            {x.startedAt ? formatAbsolute(x.startedAt) : null}
            {x.stepName ? ` · step “${x.stepName}”` : null}
          </p>
          {x.error ? (
            <p className="rounded-md border border-red-200 bg-red-50 px-3 py-2 font-mono text-xs text-red-900">{x.error}</p>
          ) : null}
          <div className="grid gap-3 lg:grid-cols-2">
            <Side title="Request" headers={x.requestHeaders} body={x.requestBody} />
            <Side title="Response" headers={x.responseHeaders} body={x.responseBody} />
          </div>
        </div>
      ) : null}
    </li>
  );
}

function Side({ title, headers, body }: { title: string; headers: unknown; body: unknown }) {
  const entries = headers && typeof headers === "object" ? Object.entries(headers as Record<string, unknown>) : [];
  return (
    <section className="min-w-0">
      <h3 className="mb-1.5 text-2xs font-medium tracking-wide text-ink-3 uppercase">{title}</h3>
      {entries.length > 0 ? (
        <dl className="mb-2 overflow-hidden rounded-md border border-line bg-surface font-mono text-xs">
          {entries.map(([k, v]) => (
            <div key={k} className="grid grid-cols-[minmax(0,6.5rem)_minmax(0,1fr)] gap-3 sm:grid-cols-[minmax(0,10rem)_minmax(0,1fr)] border-b border-line px-3 py-1 last:border-0">
              <dt className="truncate text-ink-3" title={k}>
                {k}
              </dt>
              <dd className="break-all text-ink">{Array.isArray(v) ? v.join(", ") : String(v)}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="mb-2 text-xs text-ink-3">No headers recorded.</p>
      )}
      {body != null && body !== "" ? <JsonView value={body} maxHeight="max-h-64" /> : <p className="text-xs text-ink-3">No body.</p>}
    </section>
  );
}
