"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { MailX } from "lucide-react";
import { signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Badge } from "@/components/badge";
import { Button, buttonClass } from "@/components/button";
import { EmptyState } from "@/components/empty-state";
import { ErrorPanel } from "@/components/error-panel";
import { Field, FormAlert, Input } from "@/components/field";
import { Skeleton } from "@/components/skeleton";
import { toUiError } from "@/trpc/errors";
import { useTRPC } from "@/trpc/react";
import { AuthCard } from "../../auth-card";

const MIN_PASSWORD = 10;

export function AcceptInvite({ token }: { token: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const info = useQuery(trpc.auth.inviteInfo.queryOptions({ token }));
  const accept = useMutation(trpc.auth.acceptInvite.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const [signingIn, setSigningIn] = useState(false);

  if (info.isPending) {
    return (
      <div role="status" aria-label="Loading invitation" className="rounded-xl border border-line bg-surface p-6 shadow-sm">
        <Skeleton className="h-5 w-48" />
        <Skeleton className="mt-3 h-4 w-64" />
        <Skeleton className="mt-6 h-8 w-full" />
        <Skeleton className="mt-4 h-8 w-full" />
        <Skeleton className="mt-6 h-8 w-full" />
      </div>
    );
  }
  if (info.isError) {
    if (toUiError(info.error).code === "NOT_FOUND") {
      return (
        <EmptyState
          icon={MailX}
          title="This invitation is no longer valid"
          action={
            <Link href="/signin" className={buttonClass("secondary")}>
              Go to sign in
            </Link>
          }
        >
          It may have expired (invitations last 7 days), been used already, or been revoked. Ask an owner of the
          organization for a new one.
        </EmptyState>
      );
    }
    return <ErrorPanel error={info.error} onRetry={() => info.refetch()} />;
  }

  const invite = info.data;

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    const password = String(form.get("password") ?? "");
    setError(null);
    if (password.length < MIN_PASSWORD) {
      setError(`Use a password of at least ${MIN_PASSWORD} characters.`);
      return;
    }
    let email: string;
    try {
      ({ email } = await accept.mutateAsync({ token, name, password }));
    } catch (err) {
      setError(toUiError(err).message);
      return;
    }
    setSigningIn(true);
    const result = await signIn("credentials", { redirect: false, email, password });
    if (!result?.ok || result.error) {
      setSigningIn(false);
      setError("You joined the organization, but signing in failed. Sign in with your password.");
      return;
    }
    router.replace("/runs");
    router.refresh();
  }

  return (
    <AuthCard
      title={`Join ${invite.organizationName}`}
      description={
        <>
          You were invited to join as <Badge tone="blue">{invite.role}</Badge>. Choose your name and a password to
          accept.
        </>
      }
    >
      <form onSubmit={onSubmit} className="space-y-4">
        {error ? <FormAlert>{error}</FormAlert> : null}
        <Field id="email" label="Email">
          <Input id="email" value={invite.email} readOnly disabled autoComplete="username" />
        </Field>
        <Field id="name" label="Your name">
          <Input id="name" name="name" required autoFocus autoComplete="name" />
        </Field>
        <Field id="password" label="Password" hint="If you already have a Portico account, use its password.">
          <Input id="password" name="password" type="password" required minLength={MIN_PASSWORD} autoComplete="new-password" aria-describedby="password-hint" />
        </Field>
        <Button type="submit" variant="primary" className="w-full" loading={accept.isPending || signingIn}>
          Accept invitation
        </Button>
      </form>
    </AuthCard>
  );
}
