import { Cable, Settings2, Workflow } from "lucide-react";
import type { ReactNode } from "react";
import { Badge } from "../badge";
import type { VersionItem } from "./types";

function Section({ icon: Icon, title, children }: { icon: typeof Workflow; title: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <h4 className="mb-1.5 flex items-center gap-1.5 text-2xs font-medium tracking-wide text-ink-3 uppercase">
        <Icon className="size-3.5" aria-hidden /> {title}
      </h4>
      {children}
    </div>
  );
}

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A version's manifest as a builder reads it: flows and their triggers, the config form's fields, connections. */
export function ManifestView({ manifest }: { manifest: VersionItem["manifest"] }) {
  return (
    <div className="grid gap-4 md:grid-cols-3" data-testid="manifest">
      <Section icon={Workflow} title="Flows">
        <ul className="space-y-1.5">
          {manifest.flows.map((f) => (
            <li key={f.key} className="text-sm">
              <div className="flex flex-wrap items-center gap-1.5">
                <span className="font-medium text-ink">{f.name}</span>
                <Badge tone={f.triggerType === "webhook" ? "violet" : f.triggerType === "schedule" ? "blue" : "neutral"}>{f.trigger}</Badge>
              </div>
              <p className="font-mono text-2xs text-ink-3">
                {f.key} · {f.retryAttempts} attempt{f.retryAttempts === 1 ? "" : "s"}
              </p>
              {f.description ? <p className="text-xs text-ink-3">{f.description}</p> : null}
            </li>
          ))}
        </ul>
      </Section>
      <Section icon={Settings2} title="Config fields">
        {manifest.configFields.length === 0 ? (
          <p className="text-xs text-ink-3">No settings.</p>
        ) : (
          <ul className="space-y-1.5">
            {manifest.configFields.map((c) => (
              <li key={c.key} className="text-sm">
                <div className="flex flex-wrap items-baseline gap-1.5">
                  <span className="font-mono text-xs text-ink">{c.key}</span>
                  <span className="text-2xs text-ink-3">{c.type}</span>
                  {c.required ? <Badge tone="amber">required</Badge> : null}
                </div>
                {c.description ? <p className="text-xs text-ink-2">{c.description}</p> : null}
                {"default" in c && c.default !== undefined ? (
                  <p className="text-2xs text-ink-3">
                    default <code className="font-mono">{show(c.default)}</code>
                  </p>
                ) : null}
                {c.choices ? <p className="text-2xs text-ink-3">one of {c.choices.map(show).join(", ")}</p> : null}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section icon={Cable} title="Connections">
        {manifest.connections.length === 0 ? (
          <p className="text-xs text-ink-3">None.</p>
        ) : (
          <ul className="space-y-1.5">
            {manifest.connections.map((c) => (
              <li key={c.key} className="text-sm">
                <span className="font-mono text-xs text-ink">{c.key}</span>{" "}
                <span className="text-xs text-ink-2">
                  → {c.app} ({c.auth})
                </span>
                {c.description ? <p className="text-xs text-ink-3">{c.description}</p> : null}
              </li>
            ))}
          </ul>
        )}
      </Section>
    </div>
  );
}
