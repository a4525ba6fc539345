"use client";

import { KeyRound } from "lucide-react";
import { getProviders, signIn, type ClientSafeProvider } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { Button } from "@/components/button";
import { Field, FormAlert, Input } from "@/components/field";
import { AuthCard } from "../auth-card";

const messages: Record<string, string> = {
  CredentialsSignin: "Wrong email or password.",
  OAuthSignin: "Single sign-on could not start. Try again or use your password.",
  OAuthCallback: "Single sign-on did not complete. Try again or use your password.",
  OAuthAccountNotLinked: "This email already has a password sign-in. Use it instead.",
  AccessDenied: "Your account has no access to this Portico.",
  SessionRequired: "Sign in to continue.",
};

function describe(error: string): string {
  return messages[error] ?? (error.length < 160 && !/^[A-Z][A-Za-z]+$/.test(error) ? error : "Sign-in failed. Try again.");
}

export function SignInForm({ callbackUrl, initialError }: { callbackUrl: string; initialError?: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(initialError ? describe(initialError) : null);
  const [pending, setPending] = useState(false);
  const [sso, setSso] = useState<ClientSafeProvider[]>([]);

  useEffect(() => {
    // The SSO button only exists when the operator configured an OIDC provider.
    getProviders()
      .then((all) => setSso(Object.values(all ?? {}).filter((p) => p.type === "oauth")))
      .catch(() => setSso([]));
  }, []);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    setError(null);
    try {
      const result = await signIn("credentials", {
        redirect: false,
        email: String(form.get("email") ?? "").trim(),
        password: String(form.get("password") ?? ""),
      });
      if (!result || result.error || !result.ok) {
        setError(describe(result?.error ?? "CredentialsSignin"));
        setPending(false);
        return;
      }
      router.replace(callbackUrl);
      router.refresh();
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
      setPending(false);
    }
  }

  return (
    <AuthCard
      title="Sign in to Portico"
      description="Use the email and password of your Portico account."
      footer={
        <>
          New here?{" "}
          <Link href="/signup" className="font-medium text-accent hover:underline">
            Create an organization
          </Link>
        </>
      }
    >
      <form onSubmit={onSubmit} className="space-y-4" noValidate={false}>
        {error ? <FormAlert>{error}</FormAlert> : null}
        <Field id="email" label="Email">
          <Input id="email" name="email" type="email" autoComplete="email" required autoFocus placeholder="you@company.com" />
        </Field>
        <Field id="password" label="Password">
          <Input id="password" name="password" type="password" autoComplete="current-password" required />
        </Field>
        <Button type="submit" variant="primary" className="w-full" loading={pending}>
          Sign in
        </Button>
      </form>
      {sso.length > 0 ? (
        <>
          <div className="my-5 flex items-center gap-3 text-2xs tracking-wide text-ink-3 uppercase">
            <span className="h-px flex-1 bg-line" /> or <span className="h-px flex-1 bg-line" />
          </div>
          <div className="space-y-2">
            {sso.map((p) => (
              <Button key={p.id} className="w-full" onClick={() => signIn(p.id, { callbackUrl })}>
                <KeyRound aria-hidden /> Continue with {p.name}
              </Button>
            ))}
          </div>
        </>
      ) : null}
    </AuthCard>
  );
}
