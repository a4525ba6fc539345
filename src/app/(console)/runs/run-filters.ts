"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { z } from "zod";
import { EXECUTION_STATUSES } from "@/components/status-badge";

// The URL is the state: a copied link reproduces the view. A bad value is dropped, not an error.
const RunFilters = z.object({
  status: z.enum(EXECUTION_STATUSES).optional().catch(undefined),
  reference: z.string().trim().min(1).max(200).optional().catch(undefined),
  instanceId: z.string().min(1).max(100).optional().catch(undefined),
  customerId: z.string().min(1).max(100).optional().catch(undefined),
});
export type RunFilters = z.infer<typeof RunFilters>;

export function parseRunFilters(params: URLSearchParams): RunFilters {
  return RunFilters.parse(Object.fromEntries(params.entries()));
}

export function runsHref(filters: RunFilters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  const qs = params.toString();
  return qs ? `/runs?${qs}` : "/runs";
}

export function useRunFilters() {
  const searchParams = useSearchParams();
  const router = useRouter();
  const value = useMemo(() => parseRunFilters(new URLSearchParams(searchParams.toString())), [searchParams]);
  const active = Object.values(value).some(Boolean);

  const set = useCallback(
    (patch: Partial<RunFilters>) => {
      const next = { ...value, ...patch };
      router.replace(runsHref(next), { scroll: false });
    },
    [value, router],
  );
  const clear = useCallback(() => router.replace("/runs", { scroll: false }), [router]);

  return { value, active, set, clear };
}
