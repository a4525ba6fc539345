"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Archive, Lock } from "lucide-react";
import { useEffect, useState, type FormEvent } from "react";
import { Button } from "@/components/button";
import { Card, CardHeader } from "@/components/card";
import { ErrorPanel } from "@/components/error-panel";
import { Field, FormAlert, Input } from "@/components/field";
import { Skeleton } from "@/components/skeleton";
import { toUiError } from "@/trpc/errors";
import { useTRPC } from "@/trpc/react";
import { useCurrentOrg } from "../../use-current-org";

const PRESETS = [7, 30, 90, 365];

/** How long finished runs (with their steps, logs and HTTP exchanges) are kept. Owners change it. */
export function RetentionView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useCurrentOrg();
  const q = useQuery(trpc.org.retention.queryOptions());
  const update = useMutation(
    trpc.org.updateRetention.mutationOptions({
      onSuccess: (data) => queryClient.setQueryData(trpc.org.retention.queryKey(), data),
    }),
  );
  const [days, setDays] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (q.data) setDays(String(q.data.retentionDays));
  }, [q.data]);

  if (q.isPending) {
    return (
      <Card>
        <CardHeader title="Data retention" />
        <div className="space-y-3 p-4" aria-busy="true" aria-label="Loading retention">
          <Skeleton className="h-4 w-2/3" />
          <Skeleton className="h-8 w-40" />
          <Skeleton className="h-4 w-1/2" />
        </div>
      </Card>
    );
  }
  if (q.isError) return <ErrorPanel error={q.error} onRetry={() => q.refetch()} title="Could not load the retention setting" />;

  const owner = can("OWNER");
  const current = q.data.retentionDays;
  const value = Number(days);
  const valid = Number.isInteger(value) && value >= 1 && value <= 3650;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setSaved(false);
    if (!valid) return setError("Enter a whole number of days between 1 and 3650.");
    try {
      await update.mutateAsync({ retentionDays: value });
      setSaved(true);
    } catch (err) {
      setError(toUiError(err).message);
    }
  }

  return (
    <Card>
      <CardHeader title="Data retention" />
      <div className="space-y-4 p-4">
        <p className="max-w-2xl text-sm text-ink-2">
          Finished runs (succeeded, failed or cancelled) are deleted with their steps, logs and HTTP exchanges once they
          are older than this. Runs that are queued, retrying or running are never deleted. The cleanup runs every hour.
        </p>
        {owner ? (
          <form onSubmit={onSubmit} className="space-y-3">
            <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
              <Field id="retention-days" label="Keep finished runs for (days)" className="sm:w-56">
                <Input
                  id="retention-days"
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={3650}
                  required
                  value={days}
                  aria-invalid={!valid || undefined}
                  onChange={(e) => {
                    setDays(e.target.value);
                    setSaved(false);
                  }}
                />
              </Field>
              <div className="flex flex-wrap gap-1.5" role="group" aria-label="Common periods">
                {PRESETS.map((p) => (
                  <Button key={p} type="button" size="sm" variant={value === p ? "primary" : "secondary"} onClick={() => (setDays(String(p)), setSaved(false))}>
                    {p} days
                  </Button>
                ))}
              </div>
            </div>
            {valid && value < current ? (
              <FormAlert tone="info">
                Shortening from {current} to {value} days deletes the runs between those ages at the next cleanup. This cannot be undone.
              </FormAlert>
            ) : null}
            {error ? <FormAlert>{error}</FormAlert> : null}
            <div className="flex items-center gap-3">
              <Button type="submit" variant="primary" loading={update.isPending} disabled={!valid || value === current}>
                Save
              </Button>
              {saved ? (
                <span role="status" className="text-sm text-emerald-700">
                  Saved.
                </span>
              ) : null}
            </div>
          </form>
        ) : (
          <p className="flex items-center gap-2 text-sm text-ink">
            <Lock className="size-4 shrink-0 text-ink-3" aria-hidden />
            <span>
              Finished runs are kept for <strong className="font-semibold tabular">{current} days</strong>. Only owners can
              change this.
            </span>
          </p>
        )}
        <p className="flex items-center gap-2 border-t border-line pt-3 text-xs text-ink-3" data-testid="expired-runs">
          <Archive className="size-3.5" aria-hidden />
          {q.data.expiredRuns === 0
            ? `No finished run is older than ${current} days.`
            : `${q.data.expiredRuns} finished ${q.data.expiredRuns === 1 ? "run is" : "runs are"} older than ${current} days and will be deleted at the next cleanup.`}
        </p>
      </div>
    </Card>
  );
}
