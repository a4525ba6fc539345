"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound, Lock } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/badge";
import { Button } from "@/components/button";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { DataTable, TableSkeleton, TBody, Td, Th, THead, Tr } from "@/components/data-table";
import { EmptyState } from "@/components/empty-state";
import { ErrorPanel } from "@/components/error-panel";
import { RelativeTime } from "@/components/time";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { useCurrentOrg } from "../../use-current-org";
import { CreateKeyDialog } from "./create-key-dialog";

type ApiKey = RouterOutputs["apiKeys"]["list"][number];

const columns = [
  { header: "Name", width: "w-32" },
  { header: "Key", width: "w-24", className: "hidden sm:table-cell" },
  { header: "Created", width: "w-16", className: "hidden md:table-cell" },
  { header: "Last used", width: "w-16", className: "hidden md:table-cell" },
  { header: "Status", width: "w-14" },
  { header: "", width: "w-12", className: "w-20" },
];

export function ApiKeysView() {
  const { role, query: orgQuery } = useCurrentOrg();
  if (orgQuery.isPending) return <TableSkeleton columns={columns} rows={3} label="API keys" />;
  if (orgQuery.isError) return <ErrorPanel error={orgQuery.error} onRetry={() => orgQuery.refetch()} />;
  if (role !== "OWNER") {
    return (
      <EmptyState icon={Lock} title="Only owners manage API keys">
        API keys act for the whole organization, so only owners can see, create or revoke them. Ask an owner if your
        backend needs one.
      </EmptyState>
    );
  }
  return <OwnerApiKeys />;
}

function OwnerApiKeys() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const q = useQuery(trpc.apiKeys.list.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSettled: invalidate }));
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  return (
    <>
      <div className="mb-3 flex flex-col items-start gap-3 sm:flex-row sm:items-center sm:justify-between">
        <p className="text-sm text-ink-3">
          Keys authenticate your backend against <code className="font-mono text-xs">/api/v1</code> with{" "}
          <code className="font-mono text-xs">Authorization: Bearer …</code>.
        </p>
        <CreateKeyDialog onCreated={() => void invalidate()} />
      </div>
      {q.isPending ? (
        <TableSkeleton columns={columns} rows={3} label="API keys" />
      ) : q.isError ? (
        <ErrorPanel error={q.error} onRetry={() => q.refetch()} title="Could not load API keys" />
      ) : q.data.length === 0 ? (
        <EmptyState icon={KeyRound} title="No API keys yet">
          Create one for your backend to create customers, send events and read runs, or for the CLI to publish
          integrations.
        </EmptyState>
      ) : (
        <DataTable label="API keys">
          <THead>
            <tr>
              {columns.map((c) => (
                <Th key={c.header || "actions"} className={c.className}>
                  {c.header || <span className="sr-only">Actions</span>}
                </Th>
              ))}
            </tr>
          </THead>
          <TBody>
            {q.data.map((k) => (
              <Tr key={k.id} className={k.revokedAt ? "text-ink-3" : undefined}>
                <Td className="max-w-0 min-w-36">
                  <span className="block truncate font-medium">{k.name}</span>
                  <span className="block truncate font-mono text-2xs text-ink-3 sm:hidden">{k.prefix}…</span>
                </Td>
                <Td className="hidden font-mono text-xs sm:table-cell">{k.prefix}…</Td>
                <Td className="hidden whitespace-nowrap md:table-cell">
                  <RelativeTime date={k.createdAt} />
                </Td>
                <Td className="hidden whitespace-nowrap md:table-cell">
                  {k.lastUsedAt ? <RelativeTime date={k.lastUsedAt} /> : <span className="text-ink-3">never</span>}
                </Td>
                <Td>
                  {k.revokedAt ? (
                    <span title={`Revoked ${k.revokedAt.toLocaleString()}`}>
                      <Badge tone="muted">Revoked</Badge>
                    </span>
                  ) : (
                    <Badge tone="green">Active</Badge>
                  )}
                </Td>
                <Td className="text-right">
                  {k.revokedAt ? null : (
                    <Button size="sm" variant="ghost" onClick={() => setRevoking(k)} className="text-red-700 hover:bg-red-50 hover:text-red-800" aria-label={`Revoke ${k.name}`}>
                      Revoke
                    </Button>
                  )}
                </Td>
              </Tr>
            ))}
          </TBody>
        </DataTable>
      )}
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title="Revoke API key?"
        description={
          revoking ? (
            <>
              Requests with <strong className="font-medium text-ink">{revoking.name}</strong> (
              <code className="font-mono text-xs">{revoking.prefix}…</code>) fail from now on. This cannot be undone.
            </>
          ) : null
        }
        confirmLabel="Revoke key"
        onConfirm={() => (revoking ? revoke.mutateAsync({ id: revoking.id }) : Promise.resolve())}
      />
    </>
  );
}
