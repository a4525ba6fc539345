import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { authOptions } from "@/server/auth/options";
import { ConsoleShell } from "./console-shell";

// Every console page depends on the signed-in member: never prerender at build time
// (the build has no database, no secrets).
export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await getServerSession(authOptions);
  if (!session?.user) redirect("/signin");
  return (
    <ConsoleShell user={{ name: session.user.name ?? null, email: session.user.email ?? null }}>{children}</ConsoleShell>
  );
}
