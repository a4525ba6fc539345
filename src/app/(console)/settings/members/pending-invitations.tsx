"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { X } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/badge";
import { Button } from "@/components/button";
import { Card, CardHeader } from "@/components/card";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { ErrorPanel } from "@/components/error-panel";
import { Skeleton } from "@/components/skeleton";
import { RelativeTime } from "@/components/time";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { ROLE_LABEL } from "./roles";

type Invitation = RouterOutputs["members"]["invitations"][number];

/** Open invite links (owners only): who was invited, as what, until when — and a way to take a link back. */
export function PendingInvitations() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const q = useQuery(trpc.members.invitations.queryOptions());
  const revoke = useMutation(
    trpc.members.revokeInvitation.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.members.invitations.queryKey() }) }),
  );
  const [revoking, setRevoking] = useState<Invitation | null>(null);

  // Nothing pending is the usual case: say nothing rather than show an empty card.
  if (q.isSuccess && q.data.length === 0) return null;

  return (
    <Card className="mb-5">
      <CardHeader title="Pending invitations" count={q.data?.length} />
      {q.isPending ? (
        <div className="space-y-2 p-4" aria-busy="true" aria-label="Loading invitations">
          <Skeleton className="h-4 w-2/3" />
          <Skeleton className="h-4 w-1/2" />
        </div>
      ) : q.isError ? (
        <div className="p-4">
          <ErrorPanel error={q.error} onRetry={() => q.refetch()} title="Could not load invitations" />
        </div>
      ) : (
        <ul className="divide-y divide-line" aria-label="Pending invitations">
          {q.data.map((inv) => (
            <li key={inv.id} className="flex items-center gap-3 px-4 py-2">
              <div className="min-w-0 flex-1">
                <div className="flex min-w-0 items-center gap-2">
                  <span className="truncate text-sm font-medium">{inv.email}</span>
                  <Badge tone={inv.role === "OWNER" ? "violet" : "neutral"}>{ROLE_LABEL[inv.role]}</Badge>
                  {inv.expired ? <Badge tone="muted">Expired</Badge> : null}
                </div>
                <p className="truncate text-xs text-ink-3">
                  {inv.expired ? "Expired " : "Expires "}
                  <RelativeTime date={inv.expiresAt} />
                  {inv.invitedBy ? <> · invited by {inv.invitedBy}</> : null}
                </p>
              </div>
              <Button size="sm" variant="ghost" onClick={() => setRevoking(inv)} aria-label={`Revoke the invitation of ${inv.email}`} className="text-ink-3 hover:text-red-700">
                <X aria-hidden /> <span className="hidden sm:inline">Revoke</span>
              </Button>
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title="Revoke invitation?"
        description={
          revoking ? (
            <>
              The link sent to <strong className="font-medium text-ink">{revoking.email}</strong> stops working at once. You can invite them again later.
            </>
          ) : null
        }
        confirmLabel="Revoke invitation"
        onConfirm={async () => {
          if (revoking) await revoke.mutateAsync({ invitationId: revoking.id });
        }}
      />
    </Card>
  );
}
