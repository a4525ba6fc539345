"use client";

import { TRPCClientError } from "@trpc/client";
import { useCallback } from "react";
import type { FieldOption } from "@/components/config-wizard";
import { toUiError } from "@/trpc/errors";
import { useTRPCClient } from "@/trpc/react";

/** The wizard's two server hooks in the console: options through tRPC, and errors read from tRPC's data. */
export function useConsoleWizard(target: { versionId: string; customerId: string; connections: Record<string, string | undefined> } | null) {
  const client = useTRPCClient();
  const versionId = target?.versionId;
  const customerId = target?.customerId;
  const connections = JSON.stringify(target?.connections ?? {});
  const loadOptions = useCallback(
    async (field: string, config: Record<string, unknown>): Promise<FieldOption[]> => {
      if (!versionId || !customerId) return [];
      const chosen = Object.fromEntries(Object.entries(JSON.parse(connections) as Record<string, string | undefined>).filter((e): e is [string, string] => !!e[1]));
      try {
        const r = await client.configForms.options.query({ versionId, customerId, connections: chosen, field, config });
        return r.options;
      } catch (err) {
        throw new Error(toUiError(err).message);
      }
    },
    [client, versionId, customerId, connections],
  );
  return { loadOptions, describeError };
}

export function describeError(err: unknown): { message: string; details?: unknown; issues?: unknown } {
  const data = err instanceof TRPCClientError ? (err.data as { details?: unknown; issues?: unknown } | null) : null;
  return { message: toUiError(err).message, details: data?.details, issues: data?.issues };
}
