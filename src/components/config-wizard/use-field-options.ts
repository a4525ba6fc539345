"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { missingDependencies, optionsRequestKey, pruneUnoffered } from "./dynamic-options";
import type { FieldOption, FormModel, FormValues } from "./form-model";
import { toConfig } from "./form-values";

export type OptionsState = (
  | { status: "needs-connection" }
  | { status: "waiting"; missing: string[] }
  | { status: "loading"; options?: FieldOption[] }
  | { status: "ready"; options: FieldOption[] }
  | { status: "error"; message: string }
) & { for?: string | null };

export type LoadOptions = (field: string, config: Record<string, unknown>) => Promise<FieldOption[]>;

// Typing into a field others depend on should not fire a request per keystroke.
const DEBOUNCE_MS = 350;

/**
 * Loads the choices of every dynamic-options field and keeps them current: a field is fetched
 * when its connection is chosen and its dependencies hold values, and again whenever that
 * request key changes. Late answers for an outdated key are dropped, so a slow first response
 * never overwrites a newer list.
 */
export function useFieldOptions({
  model,
  values,
  connections,
  loadOptions,
  onPrune,
}: {
  model: FormModel;
  values: FormValues;
  connections: Record<string, string | undefined>;
  loadOptions?: LoadOptions;
  /** A value the new list does not offer was cleared (the wizard says so beside the field). */
  onPrune: (key: string, next: unknown, previous: unknown) => void;
}) {
  const dynamic = Object.values(model.fields).filter((f) => f.options);
  const [states, setStates] = useState<Record<string, OptionsState>>({});
  const wanted = useRef<Record<string, string | null>>({});
  const fetched = useRef<Record<string, string | null>>({});
  const valuesRef = useRef(values);
  valuesRef.current = values;
  const onPruneRef = useRef(onPrune);
  onPruneRef.current = onPrune;

  const fetchOne = useCallback(
    async (key: string, requestKey: string) => {
      if (!loadOptions) return;
      fetched.current[key] = requestKey;
      setStates((s) => ({ ...s, [key]: { status: "loading", for: requestKey, options: s[key]?.status === "ready" ? (s[key] as { options: FieldOption[] }).options : undefined } }));
      try {
        const options = await loadOptions(key, toConfig(model, valuesRef.current));
        if (wanted.current[key] !== requestKey) return;
        setStates((s) => ({ ...s, [key]: { status: "ready", for: requestKey, options } }));
        const field = model.fields[key]!;
        const previous = valuesRef.current[key];
        const next = pruneUnoffered(field, previous, options);
        if (JSON.stringify(next) !== JSON.stringify(previous)) onPruneRef.current(key, next, previous);
      } catch (err) {
        if (wanted.current[key] !== requestKey) return;
        setStates((s) => ({ ...s, [key]: { status: "error", for: requestKey, message: messageOf(err) } }));
      }
    },
    [loadOptions, model],
  );

  // One string for everything the requests depend on, so the effect runs only when one changes.
  const keys = dynamic.map((f) => {
    const missing = missingDependencies(model, f, values);
    return [f.key, missing.length ? `missing:${missing.join(",")}` : optionsRequestKey(f, values, connections)] as const;
  });
  const signature = JSON.stringify(keys);

  useEffect(() => {
    const timers: ReturnType<typeof setTimeout>[] = [];
    for (const [key, requestKey] of JSON.parse(signature) as Array<[string, string | null]>) {
      wanted.current[key] = requestKey;
      if (requestKey === null) {
        setStates((s) => (s[key]?.status === "needs-connection" ? s : { ...s, [key]: { status: "needs-connection" } }));
        continue;
      }
      if (requestKey.startsWith("missing:")) {
        const missing = requestKey.slice("missing:".length).split(",");
        setStates((s) => ({ ...s, [key]: { status: "waiting", missing } }));
        continue;
      }
      if (fetched.current[key] === requestKey) continue;
      // The first fetch goes at once; a change of a dependency waits for typing to settle.
      const delay = fetched.current[key] ? DEBOUNCE_MS : 0;
      timers.push(setTimeout(() => void fetchOne(key, requestKey), delay));
    }
    return () => timers.forEach(clearTimeout);
  }, [signature, fetchOne]);

  const retry = useCallback(
    (key: string) => {
      const requestKey = wanted.current[key];
      if (requestKey && !requestKey.startsWith("missing:")) void fetchOne(key, requestKey);
    },
    [fetchOne],
  );

  const loaded: Record<string, FieldOption[] | undefined> = {};
  for (const [key, state] of Object.entries(states)) if (state.status === "ready") loaded[key] = state.options;
  // A list is pending from the moment what it depends on changes (debounce included) until its
  // answer arrives: checking a page against the old list would let a stale value through.
  const pending = new Set<string>();
  for (const [key, requestKey] of keys) {
    if (!requestKey || requestKey.startsWith("missing:") || !loadOptions) continue;
    const state = states[key];
    if (!state || state.for !== requestKey || state.status === "loading") pending.add(key);
  }
  return { states, loaded, pending, retry };
}

function messageOf(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  return "Could not load the options.";
}
