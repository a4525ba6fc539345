"use client";

import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/button";
import { Field, FormAlert, Input } from "@/components/field";
import { toUiError } from "@/trpc/errors";
import { useTRPC } from "@/trpc/react";
import { AuthCard } from "../auth-card";

const MIN_PASSWORD = 10;

export function SignUpForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const [passwordError, setPasswordError] = useState<string | null>(null);
  const [signingIn, setSigningIn] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const input = {
      name: String(form.get("name") ?? "").trim(),
      email: String(form.get("email") ?? "").trim(),
      password: String(form.get("password") ?? ""),
      organizationName: String(form.get("organizationName") ?? "").trim(),
    };
    setError(null);
    if (input.password.length < MIN_PASSWORD) {
      setPasswordError(`Use at least ${MIN_PASSWORD} characters.`);
      return;
    }
    setPasswordError(null);
    try {
      await signUp.mutateAsync(input);
    } catch (err) {
      const ui = toUiError(err);
      setError(ui.code === "CONFLICT" ? "An account with this email already exists. Sign in instead." : ui.message);
      return;
    }
    setSigningIn(true);
    const result = await signIn("credentials", { redirect: false, email: input.email, password: input.password });
    if (!result?.ok || result.error) {
      setSigningIn(false);
      setError("Your organization was created, but signing in failed. Sign in with your new password.");
      return;
    }
    router.replace("/runs");
    router.refresh();
  }

  return (
    <AuthCard
      title="Create your organization"
      description="You become its owner and can invite your team afterwards."
      footer={
        <>
          Already have an account?{" "}
          <Link href="/signin" className="font-medium text-accent hover:underline">
            Sign in
          </Link>
        </>
      }
    >
      <form onSubmit={onSubmit} className="space-y-4">
        {error ? <FormAlert>{error}</FormAlert> : null}
        <Field id="organizationName" label="Organization">
          <Input id="organizationName" name="organizationName" required autoFocus placeholder="Acme Inc." autoComplete="organization" />
        </Field>
        <Field id="name" label="Your name">
          <Input id="name" name="name" required autoComplete="name" />
        </Field>
        <Field id="email" label="Work email">
          <Input id="email" name="email" type="email" required autoComplete="email" placeholder="you@company.com" />
        </Field>
        <Field id="password" label="Password" hint={`At least ${MIN_PASSWORD} characters.`} error={passwordError}>
          <Input
            id="password"
            name="password"
            type="password"
            required
            minLength={MIN_PASSWORD}
            autoComplete="new-password"
            aria-invalid={passwordError ? true : undefined}
            aria-describedby={passwordError ? "password-error" : "password-hint"}
          />
        </Field>
        <Button type="submit" variant="primary" className="w-full" loading={signUp.isPending || signingIn}>
          Create organization
        </Button>
      </form>
    </AuthCard>
  );
}
