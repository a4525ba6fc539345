"use client";

import { AlertTriangle, Loader2, RefreshCw } from "lucide-react";
import type { ReactNode } from "react";
import { Button } from "../button";
import { cn } from "../cn";
import { Input, Select } from "../field";
import type { FieldModel, FieldOption } from "./form-model";
import type { OptionsState } from "./use-field-options";

export const fieldDomId = (prefix: string, key: string) => `${prefix}-${key}`;

interface Props {
  field: FieldModel;
  value: unknown;
  onChange: (value: unknown) => void;
  error?: string;
  /** e.g. "The saved value X is no longer offered". */
  notice?: string;
  idPrefix: string;
  options?: OptionsState;
  onRetryOptions?: () => void;
  /** Name of the connection a dynamic field reads from, for "connect … first". */
  connectionLabel?: string;
}

function rangeHint(f: FieldModel): string | null {
  const lo = f.minimum ?? (f.exclusiveMinimum !== undefined ? `>${f.exclusiveMinimum}` : undefined);
  const hi = f.maximum ?? (f.exclusiveMaximum !== undefined ? `<${f.exclusiveMaximum}` : undefined);
  if (lo !== undefined && hi !== undefined) return `From ${lo} to ${hi}.`;
  if (lo !== undefined) return `At least ${lo}.`;
  if (hi !== undefined) return `At most ${hi}.`;
  return null;
}

/** One config field: label (with a required marker), control, help text and its error, wired by id. */
export function WizardField({ field, value, onChange, error, notice, idPrefix, options, onRetryOptions, connectionLabel }: Props) {
  const id = fieldDomId(idPrefix, field.key);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const hint = [field.description, field.kind === "number" || field.kind === "integer" ? rangeHint(field) : null].filter(Boolean).join(" ");
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  const a11y = { "aria-invalid": error ? true : undefined, "aria-describedby": describedBy, "aria-required": field.required || undefined };
  const isGroup = field.kind === "multiselect" || field.kind === "boolean";

  const label = (
    <>
      {field.label}
      {field.required ? (
        <span className="ml-0.5 text-red-600" aria-hidden>
          *
        </span>
      ) : null}
      {field.required ? <span className="sr-only"> (required)</span> : null}
    </>
  );

  let control: ReactNode;
  if (field.options) {
    control = <DynamicSelect {...{ field, value, onChange, id, a11y, options, onRetryOptions, connectionLabel }} />;
  } else if (field.kind === "boolean") {
    control = (
      <label htmlFor={id} className="flex min-h-9 cursor-pointer items-center gap-2.5 sm:min-h-8">
        <input
          id={id}
          type="checkbox"
          role="switch"
          checked={value === true}
          onChange={(e) => onChange(e.target.checked)}
          className="peer sr-only"
          {...a11y}
        />
        <span
          aria-hidden
          className="relative inline-flex h-5 w-9 shrink-0 rounded-full bg-zinc-300 transition-colors peer-checked:bg-accent peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-accent after:absolute after:top-0.5 after:left-0.5 after:size-4 after:rounded-full after:bg-white after:shadow after:transition-transform peer-checked:after:translate-x-4"
        />
        <span className="text-sm text-ink">{label}</span>
      </label>
    );
  } else if (field.kind === "select") {
    control = (
      <Select id={id} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value)} className="sm:max-w-md" {...a11y}>
        {!field.required || value === "" ? (
          <option value="">{field.required ? "Choose…" : field.default !== undefined ? `Default (${String(field.default)})` : "Not set"}</option>
        ) : null}
        {(field.choices ?? []).map((c) => (
          <option key={String(c.value)} value={String(c.value)}>
            {c.label}
          </option>
        ))}
      </Select>
    );
  } else if (field.kind === "multiselect") {
    control = <CheckboxGroup id={id} choices={field.choices ?? []} value={value} onChange={onChange} a11y={a11y} />;
  } else if (field.kind === "json") {
    control = (
      <textarea
        id={id}
        value={typeof value === "string" ? value : ""}
        onChange={(e) => onChange(e.target.value)}
        rows={4}
        spellCheck={false}
        className="block w-full rounded-md border border-line-strong bg-surface px-2.5 py-1.5 font-mono text-xs text-ink shadow-xs aria-invalid:border-red-400"
        {...a11y}
      />
    );
  } else {
    const numeric = field.kind === "number" || field.kind === "integer";
    control = (
      <Input
        id={id}
        type={numeric ? "text" : field.format === "email" ? "email" : field.format === "uri" ? "url" : "text"}
        inputMode={field.kind === "integer" ? "numeric" : field.kind === "number" ? "decimal" : undefined}
        value={typeof value === "string" ? value : ""}
        onChange={(e) => onChange(e.target.value)}
        maxLength={field.maxLength}
        placeholder={field.default !== undefined && field.default !== "" ? String(field.default) : undefined}
        autoComplete="off"
        className={numeric ? "w-40" : "sm:max-w-md"}
        {...a11y}
      />
    );
  }

  return (
    <div data-field={field.key}>
      {isGroup && field.kind === "multiselect" ? (
        <p id={`${id}-label`} className="mb-1 block text-xs font-medium text-ink-2">
          {label}
        </p>
      ) : field.kind !== "boolean" ? (
        <label htmlFor={id} className="mb-1 block text-xs font-medium text-ink-2">
          {label}
        </label>
      ) : null}
      {control}
      {hint ? (
        <p id={hintId} className={cn("mt-1 text-xs text-ink-3", field.kind === "boolean" && "pl-11.5")}>
          {hint}
        </p>
      ) : null}
      {notice && !error ? <p className="mt-1 text-xs text-amber-700">{notice}</p> : null}
      {/* A list that failed to load says so itself; "choose one" under it would ask the impossible. */}
      {error && options?.status !== "error" ? (
        <p id={errorId} className="mt-1 text-xs text-red-600" data-testid="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function CheckboxGroup({
  id,
  choices,
  value,
  onChange,
  a11y,
}: {
  id: string;
  choices: FieldOption[];
  value: unknown;
  onChange: (value: unknown) => void;
  a11y: Record<string, unknown>;
}) {
  const selected = new Set((Array.isArray(value) ? value : []).map(String));
  const toggle = (v: string) => {
    const next = new Set(selected);
    if (next.has(v)) next.delete(v);
    else next.add(v);
    // Keep the offered order, not the click order.
    onChange(choices.map((c) => String(c.value)).filter((c) => next.has(c)));
  };
  if (choices.length === 0) return <p className="text-xs text-ink-3">Nothing to choose from.</p>;
  return (
    <div role="group" aria-labelledby={`${id}-label`} {...a11y} className="grid gap-1.5 sm:grid-cols-2">
      {choices.map((c, i) => {
        const cid = i === 0 ? id : `${id}-${i}`;
        return (
          <label key={String(c.value)} htmlFor={cid} className="flex min-h-8 cursor-pointer items-center gap-2 rounded-md border border-line px-2.5 py-1.5 text-sm hover:bg-zinc-50">
            <input id={cid} type="checkbox" className="size-4 accent-accent" checked={selected.has(String(c.value))} onChange={() => toggle(String(c.value))} />
            <span className="min-w-0 truncate">{c.label}</span>
          </label>
        );
      })}
    </div>
  );
}

function DynamicSelect({
  field,
  value,
  onChange,
  id,
  a11y,
  options,
  onRetryOptions,
  connectionLabel,
}: {
  field: FieldModel;
  value: unknown;
  onChange: (value: unknown) => void;
  id: string;
  a11y: Record<string, unknown>;
  options?: OptionsState;
  onRetryOptions?: () => void;
  connectionLabel?: string;
}) {
  const noun = field.label.toLowerCase();
  const status = options?.status ?? "needs-connection";
  if (status === "needs-connection")
    return <Placeholder id={id}>Choose the {connectionLabel ?? field.options?.connection} connection first; the choices come from that account.</Placeholder>;
  if (status === "waiting")
    return <Placeholder id={id}>Fill in {(options as { missing: string[] }).missing.join(" and ")} first; the choices depend on it.</Placeholder>;
  if (status === "error")
    return (
      <div role="alert" className="flex flex-col items-start gap-2 rounded-md border border-red-200 bg-red-50/60 px-3 py-2 sm:flex-row sm:items-center" data-testid="options-error">
        <AlertTriangle className="size-4 shrink-0 text-red-600" aria-hidden />
        <p className="min-w-0 flex-1 text-xs break-words text-red-800">
          Could not load the {noun} options: {(options as { message: string }).message}
        </p>
        {/* Carries the field's id so "focus the first invalid field" lands here; the aria-label keeps its name. */}
        <Button size="sm" onClick={onRetryOptions} id={id} aria-label={`Retry loading the ${noun} options`}>
          <RefreshCw aria-hidden /> Retry
        </Button>
      </div>
    );
  const list = options && "options" in options ? options.options ?? [] : [];
  const loading = status === "loading";
  if (!loading && list.length === 0)
    return (
      <div className="flex flex-col items-start gap-2 rounded-md border border-dashed border-line-strong px-3 py-2 sm:flex-row sm:items-center" data-testid="options-empty">
        <p className="min-w-0 flex-1 text-xs text-ink-3">No {noun} found in the connected account.</p>
        <Button size="sm" onClick={onRetryOptions} id={id} aria-label={`Check the account again for ${noun} options`}>
          <RefreshCw aria-hidden /> Check again
        </Button>
      </div>
    );
  if (field.kind === "multiselect")
    return (
      <div className="flex items-start gap-2">
        <div className="min-w-0 flex-1">
          <CheckboxGroup id={id} choices={list} value={value} onChange={onChange} a11y={a11y} />
        </div>
        {loading ? <Loader2 className="mt-2 size-4 shrink-0 animate-spin text-ink-3" aria-label={`Loading ${noun} options`} /> : null}
      </div>
    );
  return (
    <div className="flex items-center gap-2 sm:max-w-md">
      <Select
        id={id}
        value={typeof value === "string" ? value : ""}
        onChange={(e) => onChange(e.target.value)}
        disabled={loading && list.length === 0}
        aria-busy={loading || undefined}
        {...a11y}
      >
        <option value="">{loading && list.length === 0 ? `Loading ${noun} options…` : "Choose…"}</option>
        {list.map((o) => (
          <option key={String(o.value)} value={String(o.value)}>
            {o.label}
          </option>
        ))}
      </Select>
      {loading ? <Loader2 className="size-4 shrink-0 animate-spin text-ink-3" aria-label={`Loading ${noun} options`} /> : null}
    </div>
  );
}

function Placeholder({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p id={id} tabIndex={-1} className="rounded-md border border-dashed border-line-strong px-3 py-2 text-xs text-ink-3">
      {children}
    </p>
  );
}
