"use client";

import * as RadixDialog from "@radix-ui/react-dialog";
import { Menu, X } from "lucide-react";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { Logo } from "@/components/logo";
import { Skeleton } from "@/components/skeleton";
import { Nav } from "./nav";
import { useCurrentOrg } from "./use-current-org";
import { UserMenu, type ShellUser } from "./user-menu";

function OrgName() {
  const { org, query } = useCurrentOrg();
  if (query.isPending) return <Skeleton className="h-3.5 w-24" />;
  return <span className="truncate text-xs text-ink-3">{org?.name ?? ""}</span>;
}

/**
 * Sidebar from `lg` up; below it a top bar whose menu button opens the same nav in a drawer
 * (a Radix dialog, so focus is trapped while it is open).
 */
export function ConsoleShell({ user, children }: { user: ShellUser; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="min-h-dvh lg:grid lg:grid-cols-[232px_1fr]">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-surface px-3 py-2 shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        Skip to content
      </a>

      <aside className="sticky top-0 hidden h-dvh flex-col border-r border-line bg-zinc-50/80 px-3 py-4 lg:flex">
        <Link href="/runs" className="mb-5 flex flex-col gap-0.5 rounded-md px-2 py-1">
          <Logo />
          <span className="pl-8">
            <OrgName />
          </span>
        </Link>
        <div className="flex-1 overflow-y-auto">
          <Nav />
        </div>
        <div className="border-t border-line pt-3">
          <UserMenu user={user} />
        </div>
      </aside>

      <header className="sticky top-0 z-30 flex h-12 items-center justify-between gap-2 border-b border-line bg-surface/90 px-3 backdrop-blur lg:hidden">
        <RadixDialog.Root open={open} onOpenChange={setOpen}>
          <RadixDialog.Trigger
            aria-label="Open navigation"
            className="flex size-9 items-center justify-center rounded-md text-ink-2 hover:bg-zinc-100"
          >
            <Menu className="size-5" aria-hidden />
          </RadixDialog.Trigger>
          <RadixDialog.Portal>
            <RadixDialog.Overlay className="fixed inset-0 z-40 bg-zinc-950/30" />
            <RadixDialog.Content className="fixed inset-y-0 left-0 z-50 flex w-72 max-w-[85vw] flex-col bg-surface px-3 py-3 shadow-xl outline-none">
              <div className="mb-4 flex items-center justify-between px-1">
                <RadixDialog.Title asChild>
                  <div>
                    <Logo />
                  </div>
                </RadixDialog.Title>
                <RadixDialog.Description className="sr-only">Main navigation</RadixDialog.Description>
                <RadixDialog.Close
                  aria-label="Close navigation"
                  className="flex size-9 items-center justify-center rounded-md text-ink-2 hover:bg-zinc-100"
                >
                  <X className="size-5" aria-hidden />
                </RadixDialog.Close>
              </div>
              <div className="mb-4 px-2">
                <OrgName />
              </div>
              <Nav onNavigate={() => setOpen(false)} />
            </RadixDialog.Content>
          </RadixDialog.Portal>
        </RadixDialog.Root>
        <Link href="/runs" className="flex min-w-0 items-center gap-2 rounded-md">
          <Logo />
        </Link>
        <UserMenu user={user} compact />
      </header>

      <main id="main" className="min-w-0 px-4 py-5 sm:px-6 lg:px-8 lg:py-7">
        <div className="mx-auto max-w-7xl">{children}</div>
      </main>
    </div>
  );
}
