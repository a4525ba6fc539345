import type { Metadata } from "next";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { authOptions } from "@/server/auth/options";
import { safeCallbackUrl } from "../safe-callback";
import { SignInForm } from "./signin-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  if (await getServerSession(authOptions)) redirect(callbackUrl);
  // next-auth sends OAuth failures back here as ?error=…
  const error = typeof params.error === "string" ? params.error : undefined;
  return <SignInForm callbackUrl={callbackUrl} initialError={error} />;
}
