"use client";

import { CheckCircle2, ShieldAlert } from "lucide-react";
import Link from "next/link";
import { buttonClass } from "@/components/button";
import { CopyButton } from "@/components/copy-button";
import type { RouterOutputs } from "@/trpc/types";

type Deployed = RouterOutputs["instances"]["deploy"];

/** After a deploy: the URLs to give the third party, any signing secret (shown this once), and where to go next. */
export function DeployedPanel({ deployed, customerName, onAnother }: { deployed: Deployed; customerName: string; onAnother: () => void }) {
  const secrets = deployed.webhooks.filter((w) => w.signingSecret);
  return (
    <section className="rounded-lg border border-emerald-200 bg-surface" role="status" aria-labelledby="deployed-title" data-testid="deployed">
      <div className="flex items-start gap-3 border-b border-emerald-100 bg-emerald-50/60 px-4 py-3 sm:px-5">
        <CheckCircle2 className="mt-0.5 size-5 shrink-0 text-emerald-600" aria-hidden />
        <div className="min-w-0">
          <h2 id="deployed-title" className="text-sm font-semibold text-emerald-950">
            Deployed “{deployed.name}” for {customerName}
          </h2>
          <p className="mt-0.5 text-xs text-emerald-900/70">It is active now. Runs start when its triggers fire.</p>
        </div>
      </div>
      <div className="space-y-4 px-4 py-4 sm:px-5">
        {deployed.webhooks.length === 0 ? (
          <p className="text-sm text-ink-3">This integration has no webhook flows; it runs on schedules, events or by hand.</p>
        ) : (
          <div>
            <h3 className="mb-1.5 text-xs font-medium text-ink-2">Webhook URLs</h3>
            <p className="mb-2 text-xs text-ink-3">Give each URL to the system that sends the events; the token in it is the credential.</p>
            <ul className="space-y-1.5">
              {deployed.webhooks.map((w) => (
                <li key={w.flowKey} className="flex min-w-0 items-center gap-2">
                  <span className="w-20 shrink-0 truncate font-mono text-2xs text-ink-3" title={w.flowKey}>
                    {w.flowKey}
                  </span>
                  <code className="min-w-0 flex-1 truncate rounded bg-zinc-50 px-1.5 py-0.5 font-mono text-xs text-ink-2 ring-1 ring-line" title={w.url} data-testid="deployed-webhook-url">
                    {w.url}
                  </code>
                  <CopyButton value={w.url} label={`Copy webhook URL of ${w.flowKey}`} />
                </li>
              ))}
            </ul>
          </div>
        )}
        {secrets.length ? (
          <div className="rounded-md border border-amber-200 bg-amber-50/60 p-3">
            <p className="flex items-center gap-1.5 text-sm font-medium text-amber-900">
              <ShieldAlert className="size-4" aria-hidden /> Signing secrets: copy them now, they are not shown again
            </p>
            <ul className="mt-2 space-y-1.5">
              {secrets.map((w) => (
                <li key={w.flowKey} className="flex min-w-0 items-center gap-2">
                  <span className="w-20 shrink-0 truncate font-mono text-2xs text-amber-900/70">{w.flowKey}</span>
                  <code className="min-w-0 flex-1 truncate rounded bg-surface px-1.5 py-0.5 font-mono text-xs ring-1 ring-amber-200">{w.signingSecret}</code>
                  <CopyButton value={w.signingSecret!} label={`Copy signing secret of ${w.flowKey}`} />
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        <div className="flex flex-wrap gap-2 pt-1">
          <Link href={`/instances/${deployed.id}`} className={buttonClass("primary")} data-testid="open-instance">
            Open instance
          </Link>
          <Link href={`/instances/${deployed.id}/configure`} className={buttonClass("secondary")}>
            Edit config
          </Link>
          <Link href={`/runs?instanceId=${deployed.id}`} className={buttonClass("secondary")}>
            Runs
          </Link>
          <button type="button" onClick={onAnother} className={buttonClass("ghost")}>
            Deploy another
          </button>
        </div>
      </div>
    </section>
  );
}
