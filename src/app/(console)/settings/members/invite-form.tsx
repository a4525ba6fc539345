"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link2, UserPlus } from "lucide-react";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/button";
import { Card, CardHeader } from "@/components/card";
import { CopyButton } from "@/components/copy-button";
import { Field, FormAlert, Input, Select } from "@/components/field";
import { toUiError } from "@/trpc/errors";
import { useTRPC } from "@/trpc/react";
import type { Role } from "@/trpc/types";
import { ROLE_HELP } from "./roles";

export function InviteForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invite = useMutation(
    trpc.members.invite.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.members.invitations.queryKey() }) }),
  );
  const [result, setResult] = useState<{ email: string; url: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [role, setRole] = useState<Role>("BUILDER");

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const email = String(new FormData(formEl).get("email") ?? "").trim();
    setError(null);
    try {
      const { inviteUrl } = await invite.mutateAsync({ email, role });
      setResult({ email, url: inviteUrl });
      formEl.reset();
    } catch (err) {
      const ui = toUiError(err);
      setError(ui.code === "CONFLICT" ? `${email} is already a member, or has an open invitation.` : ui.message);
    }
  }

  return (
    <Card className="mb-5">
      <CardHeader title="Invite a member" />
      <form onSubmit={onSubmit} className="grid grid-cols-1 gap-3 p-4 sm:grid-cols-[minmax(0,1fr)_10rem_auto] sm:items-end">
        <Field id="invite-email" label="Email">
          <Input id="invite-email" name="email" type="email" required placeholder="teammate@company.com" autoComplete="off" />
        </Field>
        <Field id="invite-role" label="Role">
          <Select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="SUPPORT">Support</option>
            <option value="BUILDER">Builder</option>
            <option value="OWNER">Owner</option>
          </Select>
        </Field>
        <Button type="submit" variant="primary" loading={invite.isPending}>
          <UserPlus aria-hidden /> Create invite link
        </Button>
        <p className="text-xs text-ink-3 sm:col-span-3">{ROLE_HELP[role]}</p>
        {error ? (
          <div className="sm:col-span-3">
            <FormAlert>{error}</FormAlert>
          </div>
        ) : null}
        {result ? (
          <div className="rounded-md border border-emerald-200 bg-emerald-50/60 p-3 sm:col-span-3" role="status">
            <p className="flex items-center gap-1.5 text-sm font-medium text-emerald-900">
              <Link2 className="size-4" aria-hidden /> Invite link for {result.email}
            </p>
            <div className="mt-2 flex items-center gap-2">
              <code data-testid="invite-url" className="min-w-0 flex-1 truncate rounded bg-surface px-2 py-1 font-mono text-xs ring-1 ring-line" title={result.url}>
                {result.url}
              </code>
              <CopyButton value={result.url} label="Copy link" showLabel />
            </div>
            <p className="mt-2 text-xs text-emerald-900/70">Send it to them yourself. It works once and expires in 7 days.</p>
          </div>
        ) : null}
      </form>
    </Card>
  );
}
