"use client";

import { ArrowLeft, ArrowRight, Pencil } from "lucide-react";
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from "react";
import { Button } from "../button";
import { FormAlert } from "../field";
import { buildFormModel, initialValues, pageOfField, type ConfigFormSpec, type FormValues } from "./form-model";
import { displayValue, firstInvalidPage, toConfig, validatePage } from "./form-values";
import { mapServerError } from "./server-errors";
import { StepIndicator, type WizardStep } from "./step-indicator";
import { useFieldOptions, type LoadOptions } from "./use-field-options";
import { fieldDomId, WizardField } from "./wizard-field";

export interface ConfigWizardProps {
  /** The version's configSchema (JSON Schema of the zod config, input side). */
  configSchema: unknown;
  /** The manifest's page layout and dynamic-options declarations; absent on older versions. */
  configForm?: ConfigFormSpec | null;
  /** A saved config (editing an instance); defaults fill the rest. */
  initialConfig?: Record<string, unknown> | null;
  /** Connection key → chosen connection id; a dynamic-options field waits for its connection. */
  connections: Record<string, string | undefined>;
  /** Connection key → a readable name, for "choose the ERP connection first". */
  connectionLabels?: Record<string, string>;
  loadOptions?: LoadOptions;
  /** Steps shown (as done) before the config pages, e.g. customer and connections. */
  stepsBefore?: WizardStep[];
  /** A last page listing every value before submitting; its node goes on top of the list. */
  review?: { intro?: ReactNode } | false;
  submitLabel: string;
  /** Shown on the first page instead of a disabled Back (e.g. back to choosing connections). */
  onBack?: () => void;
  /** Throws on refusal: the error's issues are mapped onto the fields. */
  onSubmit: (config: Record<string, unknown>) => Promise<void>;
  /** Reads an error thrown by onSubmit; the default understands tRPC and REST error shapes. */
  describeError?: (error: unknown) => { message: string; details?: unknown; issues?: unknown };
  /** Keeps ids unique when two wizards share a page. */
  idPrefix?: string;
}

function defaultDescribeError(error: unknown): { message: string; details?: unknown; issues?: unknown } {
  const e = (error ?? {}) as { message?: unknown; data?: { details?: unknown; issues?: unknown } | null; details?: unknown; issues?: unknown; error?: { message?: unknown; details?: unknown } };
  const message = typeof e.message === "string" && e.message ? e.message : typeof e.error?.message === "string" ? e.error.message : "Something went wrong.";
  return { message, details: e.data?.details ?? e.details ?? e.error?.details, issues: e.data?.issues ?? e.issues };
}

/**
 * An integration's config as a paged form: one page at a time, each checked before Next
 * (Enter advances), errors on their fields with focus on the first, server refusals mapped back
 * onto the fields they name. Shared by the console and the customer-facing marketplace: it knows
 * nothing of tRPC, only `loadOptions` and `onSubmit`.
 */
export function ConfigWizard(props: ConfigWizardProps) {
  const { configSchema, configForm, initialConfig, connections, connectionLabels, loadOptions, stepsBefore = [], review, submitLabel, onBack, onSubmit } = props;
  const describeError = props.describeError ?? defaultDescribeError;
  const idPrefix = props.idPrefix ?? "config";
  const model = useMemo(() => buildFormModel(configSchema, configForm), [configSchema, configForm]);
  const [values, setValues] = useState<FormValues>(() => initialValues(model, initialConfig));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notices, setNotices] = useState<Record<string, string>>({});
  const [page, setPage] = useState(0);
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const focusTarget = useRef<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);

  const { states, loaded, pending, retry } = useFieldOptions({
    model,
    values,
    connections,
    loadOptions,
    onPrune: (key, next, previous) => {
      setValues((v) => ({ ...v, [key]: next }));
      const label = model.fields[key]?.label ?? key;
      setNotices((n) => ({ ...n, [key]: `${Array.isArray(previous) ? "Some of the chosen values are" : `"${String(previous)}" is`} no longer offered by the account; choose ${label.toLowerCase()} again.` }));
    },
  });

  const hasReview = review !== false && review !== undefined;
  const reviewIndex = model.pages.length;
  const onReview = hasReview && page === reviewIndex;
  const lastPage = hasReview ? reviewIndex : model.pages.length - 1;

  // After a failed check: focus the first field in error; after a page change: the page title.
  useEffect(() => {
    if (focusTarget.current) {
      document.getElementById(focusTarget.current)?.focus();
      focusTarget.current = null;
    } else if (moved.current) headingRef.current?.focus();
    moved.current = false;
  }, [page, errors]);

  function setValue(key: string, value: unknown) {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors(({ [key]: _gone, ...rest }) => rest);
    setNotices(({ [key]: _gone, ...rest }) => rest);
  }

  function goTo(next: number) {
    moved.current = true;
    setFormError(null);
    setPage(next);
  }

  function showErrors(found: Record<string, string>, onPage: number) {
    const first = model.pages[onPage]?.fields.find((k) => found[k]) ?? Object.keys(found)[0];
    if (first) focusTarget.current = fieldDomId(idPrefix, first);
    setErrors(found);
    if (onPage !== page) setPage(onPage);
  }

  async function submit() {
    const invalid = firstInvalidPage(model, values, loaded);
    if (invalid) return showErrors(invalid.errors, invalid.page);
    setSubmitting(true);
    setFormError(null);
    try {
      await onSubmit(toConfig(model, values, loaded));
    } catch (err) {
      const described = describeError(err);
      const mapped = mapServerError(model, described);
      setFormError(mapped.formError);
      const firstField = Object.keys(mapped.fieldErrors)[0];
      if (firstField) showErrors(mapped.fieldErrors, pageOfField(model, firstField));
    } finally {
      setSubmitting(false);
    }
  }

  // Choices still loading for this page (or, on the review, anywhere): wait for them.
  const waitingFor = onReview ? pending.size > 0 : (model.pages[page]?.fields ?? []).some((k) => pending.has(k));

  function onFormSubmit(e: FormEvent) {
    e.preventDefault();
    if (submitting || waitingFor) return;
    if (!onReview) {
      const found = validatePage(model, page, values, loaded);
      if (Object.keys(found).length) return showErrors(found, page);
      setErrors({});
    }
    if (page < lastPage) return goTo(page + 1);
    void submit();
  }

  const steps: WizardStep[] = [
    ...stepsBefore,
    ...model.pages.map((p, i) => ({ label: p.title, onSelect: i < page ? () => goTo(i) : undefined })),
    ...(hasReview ? [{ label: "Review" }] : []),
  ];
  const current = model.pages[page];

  return (
    <form noValidate onSubmit={onFormSubmit} aria-labelledby={`${idPrefix}-page-title`} data-testid="config-wizard">
      <StepIndicator steps={steps} current={stepsBefore.length + page} />
      <div className="rounded-lg border border-line bg-surface">
        <div className="border-b border-line px-4 py-3 sm:px-5">
          <h2 id={`${idPrefix}-page-title`} ref={headingRef} tabIndex={-1} className="text-sm font-semibold text-ink outline-none">
            {onReview ? "Review" : current?.title ?? "Settings"}
          </h2>
          {onReview ? (
            <p className="mt-0.5 text-xs text-ink-3">Check the settings, then {submitLabel.toLowerCase()}.</p>
          ) : current?.description ? (
            <p className="mt-0.5 text-xs text-ink-3">{current.description}</p>
          ) : null}
        </div>

        <div className="space-y-5 px-4 py-4 sm:px-5">
          {onReview ? (
            <ReviewList model={model} values={values} loaded={loaded} intro={review ? review.intro : undefined} onEdit={goTo} />
          ) : model.pages.length === 0 ? (
            <p className="text-sm text-ink-3">This integration has no settings to fill in.</p>
          ) : (
            current?.fields.map((key) => {
              const field = model.fields[key]!;
              return (
                <WizardField
                  key={key}
                  field={field}
                  value={values[key]}
                  onChange={(v) => setValue(key, v)}
                  error={errors[key]}
                  notice={notices[key]}
                  idPrefix={idPrefix}
                  options={states[key]}
                  onRetryOptions={() => retry(key)}
                  connectionLabel={field.options ? connectionLabels?.[field.options.connection] : undefined}
                />
              );
            })
          )}
          {formError ? <FormAlert>{formError}</FormAlert> : null}
        </div>

        <div className="flex flex-col-reverse gap-2 rounded-b-lg border-t border-line bg-zinc-50/60 px-4 py-3 sm:flex-row sm:items-center sm:justify-between sm:px-5">
          {page > 0 ? (
            <Button onClick={() => goTo(page - 1)} disabled={submitting}>
              <ArrowLeft aria-hidden /> Back
            </Button>
          ) : onBack ? (
            <Button onClick={onBack} disabled={submitting}>
              <ArrowLeft aria-hidden /> Back
            </Button>
          ) : (
            <span />
          )}
          <Button type="submit" variant="primary" loading={submitting || waitingFor} data-testid="wizard-next">
            {page < lastPage ? (
              <>
                {page === lastPage - 1 && hasReview ? "Review" : "Next"} <ArrowRight aria-hidden />
              </>
            ) : (
              submitLabel
            )}
          </Button>
        </div>
      </div>
    </form>
  );
}

function ReviewList({
  model,
  values,
  loaded,
  intro,
  onEdit,
}: {
  model: ReturnType<typeof buildFormModel>;
  values: FormValues;
  loaded: Record<string, { value: string | number; label: string }[] | undefined>;
  intro?: ReactNode;
  onEdit: (page: number) => void;
}) {
  return (
    <div className="space-y-4" data-testid="wizard-review">
      {intro}
      {model.pages.map((p, i) => (
        <section key={p.key} aria-labelledby={`review-${p.key}`}>
          <div className="mb-1.5 flex items-center justify-between gap-2">
            <h3 id={`review-${p.key}`} className="text-xs font-semibold tracking-wide text-ink-3 uppercase">
              {p.title}
            </h3>
            <Button size="sm" variant="ghost" onClick={() => onEdit(i)} aria-label={`Edit ${p.title}`}>
              <Pencil aria-hidden /> Edit
            </Button>
          </div>
          <dl className="divide-y divide-line rounded-md border border-line">
            {p.fields.map((key) => {
              const field = model.fields[key]!;
              return (
                <div key={key} className="grid gap-0.5 px-3 py-2 sm:grid-cols-[12rem_minmax(0,1fr)] sm:gap-3">
                  <dt className="text-xs text-ink-3">{field.label}</dt>
                  <dd className="text-sm break-words text-ink" data-testid={`review-${key}`}>
                    {displayValue(field, values[key], loaded)}
                  </dd>
                </div>
              );
            })}
          </dl>
        </section>
      ))}
    </div>
  );
}
