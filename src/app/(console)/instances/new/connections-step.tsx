"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound, Plus } from "lucide-react";
import { useState, type KeyboardEvent } from "react";
import { Badge } from "@/components/badge";
import { Button } from "@/components/button";
import { ErrorPanel } from "@/components/error-panel";
import { Field, FormAlert, Input } from "@/components/field";
import { RelativeTime } from "@/components/time";
import { toUiError } from "@/trpc/errors";
import { useTRPC } from "@/trpc/react";
import { ChoiceList } from "./choice-list";
import { ChoiceSkeleton, StepCard } from "./step-card";

export type DeclaredConnections = Record<string, { app: string; auth: string; description?: string }>;

const AUTH_TEXT: Record<string, string> = { apiKey: "API key", oauth2: "OAuth", basic: "user name and password", none: "no credentials" };

/** A connection key's heading: the builder's description, else the key. */
export const connectionTitle = (key: string, decl: { description?: string }) => decl.description ?? key;

export function ConnectionsStep({
  customerId,
  declared,
  value,
  onChange,
  onBack,
  onNext,
}: {
  customerId: string;
  declared: DeclaredConnections;
  value: Record<string, string | undefined>;
  onChange: (key: string, connectionId: string) => void;
  onBack: () => void;
  onNext: () => void;
}) {
  const trpc = useTRPC();
  const q = useQuery(trpc.connections.list.queryOptions({ customerId }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const keys = Object.entries(declared).filter(([, d]) => d.auth !== "none");

  function next() {
    const found: Record<string, string> = {};
    for (const [key, d] of keys) if (!value[key]) found[key] = `Choose the customer's ${d.app} connection${d.auth === "apiKey" ? ", or add one" : ""}.`;
    setErrors(found);
    const first = Object.keys(found)[0];
    if (first) return document.querySelector<HTMLElement>(`[data-connection="${first}"] input, [data-connection="${first}"] button`)?.focus();
    onNext();
  }

  return (
    <StepCard
      title="Connections"
      description="The customer's accounts this integration works with. Secrets are stored encrypted and never shown again."
      testId="step-connections"
      onBack={onBack}
      onNext={next}
      nextDisabled={q.isPending || q.isError}
    >
      {keys.length === 0 ? (
        <p className="text-sm text-ink-3">This integration needs no connections.</p>
      ) : q.isPending ? (
        <ChoiceSkeleton label="connections" rows={2} />
      ) : q.isError ? (
        <ErrorPanel error={q.error} onRetry={() => q.refetch()} title="Could not load the customer's connections" />
      ) : (
        <div className="space-y-6">
          {keys.map(([key, d]) => {
            const own = q.data.filter((c) => c.appKey === d.app);
            return (
              <section key={key} data-connection={key} aria-labelledby={`conn-${key}`}>
                <h3 id={`conn-${key}`} className="text-sm font-medium text-ink">
                  {connectionTitle(key, d)}
                </h3>
                <p className="mb-2 text-xs text-ink-3">
                  App <span className="font-mono">{d.app}</span> · {AUTH_TEXT[d.auth] ?? d.auth}
                </p>
                {own.length > 0 ? (
                  <ChoiceList
                    name={`connection-${key}`}
                    label={connectionTitle(key, d)}
                    testId={`connection-choices-${key}`}
                    value={value[key] ?? null}
                    error={errors[key]}
                    onChange={(id) => {
                      setErrors(({ [key]: _gone, ...rest }) => rest);
                      onChange(key, id);
                    }}
                    choices={own.map((c) => ({
                      value: c.id,
                      title: c.label ?? `${c.appName ?? c.appKey} · ${AUTH_TEXT[d.auth] ?? c.authType}`,
                      meta: c.status === "ACTIVE" ? undefined : <Badge tone="red">{c.status.toLowerCase()}</Badge>,
                      description: (
                        <>
                          Added <RelativeTime date={c.createdAt} />
                          {c.statusReason ? ` · ${c.statusReason}` : ""}
                        </>
                      ),
                    }))}
                  />
                ) : (
                  <p className="rounded-md border border-dashed border-line-strong px-3 py-2 text-xs text-ink-3" data-testid={`no-connections-${key}`}>
                    This customer has no {d.app} connection yet.
                    {d.auth === "apiKey" ? " Add one with their API key below." : " The customer connects it themselves in the marketplace (it needs their consent)."}
                  </p>
                )}
                {d.auth === "apiKey" ? (
                  <AddApiKeyConnection
                    customerId={customerId}
                    appKey={d.app}
                    startOpen={own.length === 0}
                    error={own.length === 0 ? errors[key] : undefined}
                    onCreated={(id) => {
                      setErrors(({ [key]: _gone, ...rest }) => rest);
                      onChange(key, id);
                    }}
                  />
                ) : own.length === 0 && errors[key] ? (
                  <p className="mt-2 text-xs text-red-600">{errors[key]}</p>
                ) : null}
              </section>
            );
          })}
        </div>
      )}
    </StepCard>
  );
}

function AddApiKeyConnection({ customerId, appKey, startOpen, error, onCreated }: { customerId: string; appKey: string; startOpen: boolean; error?: string; onCreated: (id: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(startOpen);
  const [apiKey, setApiKey] = useState("");
  const [label, setLabel] = useState("");
  const [failure, setFailure] = useState<string | null>(null);
  const create = useMutation(trpc.connections.createApiKey.mutationOptions());
  const id = `new-${appKey}`;

  async function save() {
    if (!apiKey.trim()) return setFailure("Enter the API key.");
    setFailure(null);
    try {
      const c = await create.mutateAsync({ customerId, appKey, apiKey: apiKey.trim(), ...(label.trim() ? { label: label.trim() } : {}) });
      await queryClient.invalidateQueries({ queryKey: trpc.connections.list.queryKey({ customerId }) });
      setApiKey("");
      setLabel("");
      setOpen(false);
      onCreated(c.id);
    } catch (err) {
      setFailure(toUiError(err).message);
    }
  }
  // Inside the step's form: Enter saves the connection instead of going to the next step.
  const onEnter = (e: KeyboardEvent) => {
    if (e.key === "Enter") {
      e.preventDefault();
      void save();
    }
  };

  if (!open)
    return (
      <Button size="sm" variant="ghost" className="mt-2" onClick={() => setOpen(true)}>
        <Plus aria-hidden /> Add an API key connection
      </Button>
    );
  return (
    <div className="mt-2 rounded-md border border-line bg-zinc-50/60 p-3" data-testid={`add-connection-${appKey}`}>
      <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,14rem)]">
        <Field id={`${id}-key`} label="API key" error={failure ?? error}>
          <Input id={`${id}-key`} type="password" autoComplete="off" value={apiKey} onChange={(e) => setApiKey(e.target.value)} onKeyDown={onEnter} aria-invalid={failure || error ? true : undefined} />
        </Field>
        <Field id={`${id}-label`} label="Label (optional)">
          <Input id={`${id}-label`} value={label} maxLength={200} onChange={(e) => setLabel(e.target.value)} onKeyDown={onEnter} placeholder="e.g. Production ERP" />
        </Field>
      </div>
      <div className="mt-3 flex flex-wrap gap-2">
        <Button size="sm" variant="secondary" onClick={() => void save()} loading={create.isPending}>
          <KeyRound aria-hidden /> Save connection
        </Button>
        {!startOpen ? (
          <Button size="sm" variant="ghost" onClick={() => setOpen(false)}>
            Cancel
          </Button>
        ) : null}
      </div>
      {create.isError && !failure ? <FormAlert>{toUiError(create.error).message}</FormAlert> : null}
    </div>
  );
}
