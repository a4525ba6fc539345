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

type ConfigField = VersionItem["manifest"]["configFields"][number];

/** The config fields grouped by wizard page, in page order. */
function pagesOf(manifest: VersionItem["manifest"]): { title: string; number: number; fields: ConfigField[] }[] {
  const titles = manifest.configPages.length ? manifest.configPages.map((p) => p.title) : ["Settings"];
  return titles
    .map((title, i) => ({ title, number: i + 1, fields: manifest.configFields.filter((f) => f.page === title || (!titles.includes(f.page) && i === 0)) }))
    .filter((p) => p.fields.length > 0);
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
          <div className="space-y-3">
            {pagesOf(manifest).map((page) => (
              <div key={page.title}>
                {manifest.configPages.length > 1 ? (
                  <p className="mb-1 text-2xs font-medium text-ink-2">
                    Page {page.number}: {page.title}
                  </p>
                ) : null}
                <ul className="space-y-1.5">
                  {page.fields.map((c) => (
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
                      {c.optionsFrom ? (
                        <p className="text-2xs text-ink-3">
                          choices from the <code className="font-mono">{c.optionsFrom.connection}</code> account
                          {c.optionsFrom.dependsOn.length ? <>, after {c.optionsFrom.dependsOn.join(", ")}</> : null}
                        </p>
                      ) : null}
                      {c.id !== c.key ? (
                        <p className="text-2xs text-ink-3">
                          id <code className="font-mono">{c.id}</code>
                        </p>
                      ) : null}
                    </li>
                  ))}
                </ul>
              </div>
            ))}
          </div>
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
