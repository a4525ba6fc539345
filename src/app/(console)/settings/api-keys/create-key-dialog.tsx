"use client";

import { useMutation } from "@tanstack/react-query";
import { AlertTriangle, Plus } from "lucide-react";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/button";
import { CopyButton } from "@/components/copy-button";
import { DialogClose, DialogContent, DialogRoot, DialogTrigger } from "@/components/dialog";
import { Field, FormAlert, Input } from "@/components/field";
import { toUiError } from "@/trpc/errors";
import { useTRPC } from "@/trpc/react";

/**
 * Create → the plaintext key, once. Portico stores only its hash, so while the key is on screen
 * the dialog closes only through its own button, not a stray click outside or Escape.
 */
export function CreateKeyDialog({ onCreated }: { onCreated: () => void }) {
  const trpc = useTRPC();
  const create = useMutation(trpc.apiKeys.create.mutationOptions({ onSuccess: onCreated }));
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState<{ name: string; key: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) {
      setKey(null);
      setError(null);
      create.reset();
    }
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get("name") ?? "").trim();
    setError(null);
    try {
      const created = await create.mutateAsync({ name });
      setKey({ name, key: created.key });
    } catch (err) {
      setError(toUiError(err).message);
    }
  }

  return (
    <DialogRoot open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button variant="primary">
          <Plus aria-hidden /> Create API key
        </Button>
      </DialogTrigger>
      {key ? (
        <DialogContent
          title="Copy your new API key"
          description={<>Key “{key.name}” is ready. Store it in your backend's secret manager.</>}
          dismissible={false}
          footer={
            <DialogClose asChild>
              <Button variant="primary">I have copied it</Button>
            </DialogClose>
          }
        >
          <div className="flex items-center gap-2">
            <code data-testid="api-key-secret" className="min-w-0 flex-1 rounded-md bg-zinc-50 px-2.5 py-2 font-mono text-xs break-all text-ink ring-1 ring-line">
              {key.key}
            </code>
            <CopyButton value={key.key} label="Copy" showLabel />
          </div>
          <p className="mt-3 flex items-start gap-2 rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-900 ring-1 ring-amber-200">
            <AlertTriangle className="mt-px size-3.5 shrink-0" aria-hidden />
            You won't see it again. If you lose it, revoke it and create a new one.
          </p>
        </DialogContent>
      ) : (
        <DialogContent title="Create API key" description="For your backend (REST API /api/v1) or the portico CLI. Keys act for the whole organization.">
          <form id="create-key" onSubmit={onSubmit} className="space-y-3">
            {error ? <FormAlert>{error}</FormAlert> : null}
            <Field id="key-name" label="Name" hint="Where the key is used, e.g. “production backend”.">
              <Input id="key-name" name="name" required maxLength={100} autoFocus autoComplete="off" aria-describedby="key-name-hint" />
            </Field>
            <div className="flex justify-end gap-2 pt-2 pb-1">
              <DialogClose asChild>
                <Button>Cancel</Button>
              </DialogClose>
              <Button type="submit" variant="primary" loading={create.isPending}>
                Create key
              </Button>
            </div>
          </form>
        </DialogContent>
      )}
    </DialogRoot>
  );
}
