"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Eye, EyeOff, KeyRound, RefreshCw, Webhook } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/badge";
import { Button } from "@/components/button";
import { Card, CardHeader } from "@/components/card";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { CopyButton } from "@/components/copy-button";
import { FormAlert } from "@/components/field";
import { RelativeTime } from "@/components/time";
import { toUiError } from "@/trpc/errors";
import { useTRPC } from "@/trpc/react";
import type { InstanceDetailData } from "./instance-detail";

type Webhook = InstanceDetailData["webhooks"][number];
type Pending = { kind: "url" | "secret"; flowKey: string } | null;

/** Each webhook flow's URL (copy, rotate) and, for flows that check signatures, its signing secret (reveal, rotate). */
export function WebhooksCard({ instance, canEdit }: { instance: InstanceDetailData; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.instances.detail.queryKey({ instanceId: instance.id }) });
  const rotateUrl = useMutation(trpc.instances.rotateWebhookUrl.mutationOptions({ onSuccess: refresh }));
  const rotateSecret = useMutation(trpc.instances.rotateSigningSecret.mutationOptions({ onSuccess: refresh }));
  // Revealed secrets live in this component only (never in the query cache).
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [pending, setPending] = useState<Pending>(null);

  return (
    <Card>
      <CardHeader title="Webhook URLs" count={instance.webhooks.length} />
      {instance.webhooks.length === 0 ? (
        <p className="flex items-center gap-2 px-4 py-3 text-sm text-ink-3">
          <Webhook className="size-4" aria-hidden /> This version has no webhook flows.
        </p>
      ) : (
        <ul className="divide-y divide-line">
          {instance.webhooks.map((w) => (
            <WebhookRow
              key={w.flowKey}
              instanceId={instance.id}
              webhook={w}
              canEdit={canEdit}
              secret={secrets[w.flowKey]}
              onSecret={(value) => setSecrets((s) => ({ ...s, [w.flowKey]: value }))}
              onHide={() =>
                setSecrets((s) => {
                  const { [w.flowKey]: _gone, ...rest } = s;
                  return rest;
                })
              }
              onRotate={(kind) => setPending({ kind, flowKey: w.flowKey })}
            />
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={pending?.kind === "url"}
        onOpenChange={(open) => !open && setPending(null)}
        title="Rotate webhook URL?"
        description={
          <>
            The flow <code className="font-mono text-xs">{pending?.flowKey}</code> gets a new URL and the current one stops
            working at once (no grace period): deliveries to it answer 404. Update the sender right after.
          </>
        }
        confirmLabel="Rotate URL"
        onConfirm={() => (pending ? rotateUrl.mutateAsync({ instanceId: instance.id, flowKey: pending.flowKey }) : Promise.resolve())}
      />
      <ConfirmDialog
        open={pending?.kind === "secret"}
        onOpenChange={(open) => !open && setPending(null)}
        title="Rotate signing secret?"
        description={
          <>
            Deliveries to <code className="font-mono text-xs">{pending?.flowKey}</code> signed with the current secret are
            refused (401) from now on. The new secret is shown once here; configure it in the sender right after.
          </>
        }
        confirmLabel="Rotate secret"
        onConfirm={async () => {
          if (!pending) return;
          const res = await rotateSecret.mutateAsync({ instanceId: instance.id, flowKey: pending.flowKey });
          setSecrets((s) => ({ ...s, [res.flowKey]: res.signingSecret }));
        }}
      />
    </Card>
  );
}

function WebhookRow({
  instanceId,
  webhook: w,
  canEdit,
  secret,
  onSecret,
  onHide,
  onRotate,
}: {
  instanceId: string;
  webhook: Webhook;
  canEdit: boolean;
  secret: string | undefined;
  onSecret: (value: string) => void;
  onHide: () => void;
  onRotate: (kind: "url" | "secret") => void;
}) {
  const trpc = useTRPC();
  const reveal = useMutation(trpc.instances.revealSigningSecret.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const signed = w.signature !== null || w.hasSigningSecret;

  async function onReveal() {
    setError(null);
    try {
      const res = await reveal.mutateAsync({ instanceId, flowKey: w.flowKey });
      if (res.signingSecret) onSecret(res.signingSecret);
      else setError("This webhook has no signing secret yet: rotate to create one.");
    } catch (err) {
      setError(toUiError(err).message);
    }
  }

  return (
    <li className="space-y-2 px-4 py-3" data-testid={`webhook-${w.flowKey}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="font-mono text-xs font-medium text-ink">{w.flowKey}</span>
        <span className="text-2xs text-ink-3">
          {w.rotatedAt ? (
            <>
              URL rotated <RelativeTime date={w.rotatedAt} />
            </>
          ) : (
            <>
              created <RelativeTime date={w.createdAt} />
            </>
          )}
        </span>
      </div>
      <div className="flex min-w-0 items-center gap-2">
        <code className="min-w-0 flex-1 truncate rounded bg-zinc-50 px-2 py-1 font-mono text-xs text-ink-2 ring-1 ring-line" title={w.url} data-testid="webhook-url">
          {w.url}
        </code>
        <CopyButton value={w.url} label={`Copy webhook URL of ${w.flowKey}`} />
        {canEdit ? (
          <Button size="sm" variant="ghost" onClick={() => onRotate("url")} aria-label={`Rotate webhook URL of ${w.flowKey}`}>
            <RefreshCw aria-hidden /> <span className="max-sm:sr-only">Rotate</span>
          </Button>
        ) : null}
      </div>
      {signed ? (
        <div className="flex flex-wrap items-center gap-2 rounded-md bg-zinc-50/70 px-2 py-1.5 ring-1 ring-line">
          <KeyRound className="size-3.5 shrink-0 text-ink-3" aria-hidden />
          <span className="text-xs text-ink-2">Signing secret</span>
          {w.signature ? (
            <Badge tone="blue" className="max-sm:hidden">
              HMAC-SHA256 in {w.signature.header}
            </Badge>
          ) : (
            <Badge tone="muted">not checked by this version</Badge>
          )}
          <span className="flex min-w-0 flex-1 basis-48 items-center justify-end gap-1">
            {secret ? (
              <>
                <code className="min-w-0 flex-1 truncate rounded bg-surface px-2 py-0.5 font-mono text-xs ring-1 ring-line" data-testid="signing-secret">
                  {secret}
                </code>
                <CopyButton value={secret} label={`Copy signing secret of ${w.flowKey}`} />
                <Button size="sm" variant="ghost" onClick={onHide} aria-label="Hide signing secret">
                  <EyeOff aria-hidden />
                </Button>
              </>
            ) : (
              <span className="font-mono text-xs tracking-widest text-ink-3" aria-label="hidden">
                ••••••••••••
              </span>
            )}
            {canEdit && !secret ? (
              <Button size="sm" variant="ghost" onClick={onReveal} loading={reveal.isPending}>
                <Eye aria-hidden /> Reveal
              </Button>
            ) : null}
            {canEdit ? (
              <Button size="sm" variant="ghost" onClick={() => onRotate("secret")} aria-label={`Rotate signing secret of ${w.flowKey}`}>
                <RefreshCw aria-hidden /> <span className="max-sm:sr-only">Rotate</span>
              </Button>
            ) : null}
          </span>
        </div>
      ) : null}
      {error ? <FormAlert>{error}</FormAlert> : null}
    </li>
  );
}
