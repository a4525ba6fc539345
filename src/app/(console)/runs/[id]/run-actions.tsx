"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Ban, RotateCcw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/button";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { toUiError } from "@/trpc/errors";
import { useTRPC } from "@/trpc/react";

const TERMINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);
const CANCELLABLE = new Set(["QUEUED", "RETRYING"]);

/**
 * Support's fixes for one run: replay a finished run (a new run of the same payload, on the
 * instance's current version) or cancel one that has not started. The server decides what is
 * allowed (CONFLICT otherwise); the buttons only hide what cannot apply to this status.
 */
export function RunActions({ run }: { run: { id: string; status: string } }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const replay = useMutation(
    trpc.executions.replay.mutationOptions({ onSuccess: (r) => router.push(`/runs/${r.executionId}`) }),
  );
  const cancel = useMutation(
    trpc.executions.cancel.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.executions.get.queryKey({ id: run.id }) }),
    }),
  );

  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex items-center gap-2">
        {TERMINAL.has(run.status) ? (
          <Button size="sm" loading={replay.isPending} onClick={() => replay.mutate({ id: run.id })} data-testid="run-replay">
            <RotateCcw className="size-3.5" aria-hidden /> Replay
          </Button>
        ) : null}
        {CANCELLABLE.has(run.status) ? (
          <Button size="sm" variant="danger" onClick={() => setConfirmCancel(true)}>
            <Ban className="size-3.5" aria-hidden /> Cancel run
          </Button>
        ) : null}
      </div>
      {replay.isError ? (
        <p role="alert" className="text-xs text-red-700">
          {toUiError(replay.error).message}
        </p>
      ) : null}
      <ConfirmDialog
        open={confirmCancel}
        onOpenChange={setConfirmCancel}
        title="Cancel this run?"
        description="It will not run. Its payload stays stored, so it can still be replayed later."
        confirmLabel="Cancel run"
        onConfirm={() => cancel.mutateAsync({ id: run.id })}
      />
    </div>
  );
}
