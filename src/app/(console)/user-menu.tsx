"use client";

import * as Menu from "@radix-ui/react-dropdown-menu";
import { useQueryClient } from "@tanstack/react-query";
import { Check, ChevronsUpDown, LogOut } from "lucide-react";
import { signOut } from "next-auth/react";
import { useRouter } from "next/navigation";
import { Badge } from "@/components/badge";
import { cn } from "@/components/cn";
import { Skeleton } from "@/components/skeleton";
import { useCurrentOrg } from "./use-current-org";

export interface ShellUser {
  name: string | null;
  email: string | null;
}

function initials(user: ShellUser): string {
  const source = user.name?.trim() || user.email || "?";
  const parts = source.split(/[\s@._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "?") + (parts[1]?.[0] ?? "")).toUpperCase();
}

/** Org name, the user's role and sign-out; `compact` is the avatar-only trigger of the mobile top bar. */
// Read by the server's tRPC context (ACTIVE_ORG_COOKIE in src/server/context.ts), honoured only
// for organizations the user is a member of. Not imported: that module is server-only.
const ACTIVE_ORG_COOKIE = "portico-org";

export function UserMenu({ user, compact = false }: { user: ShellUser; compact?: boolean }) {
  const { org, role, query } = useCurrentOrg();
  const queryClient = useQueryClient();
  const router = useRouter();
  const others = org?.memberships.filter((m) => m.organizationId !== org.id) ?? [];

  function switchTo(organizationId: string) {
    document.cookie = `${ACTIVE_ORG_COOKIE}=${encodeURIComponent(organizationId)}; path=/; max-age=31536000; samesite=lax`;
    // Everything cached belongs to the previous organization.
    queryClient.clear();
    router.push("/runs");
    router.refresh();
  }

  return (
    <Menu.Root>
      <Menu.Trigger
        aria-label="Account menu"
        className={cn(
          "flex items-center gap-2.5 rounded-md text-left transition-colors hover:bg-zinc-100",
          compact ? "p-1" : "w-full px-2 py-1.5",
        )}
      >
        <span className="flex size-7 shrink-0 items-center justify-center rounded-full bg-zinc-800 text-2xs font-semibold text-white">
          {initials(user)}
        </span>
        {compact ? null : (
          <>
            <span className="min-w-0 flex-1">
              <span className="block truncate text-sm font-medium text-ink">{user.name || user.email}</span>
              <span className="block truncate text-xs text-ink-3">{user.email}</span>
            </span>
            <ChevronsUpDown className="size-3.5 shrink-0 text-ink-3" aria-hidden />
          </>
        )}
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content
          align={compact ? "end" : "start"}
          side={compact ? "bottom" : "top"}
          sideOffset={6}
          className="z-50 min-w-60 rounded-lg border border-line bg-surface p-1 shadow-lg"
        >
          <div className="px-2 py-2">
            <div className="text-2xs font-medium tracking-wide text-ink-3 uppercase">Organization</div>
            {query.isPending ? (
              <Skeleton className="mt-1.5 h-4 w-32" />
            ) : (
              <div className="mt-1 flex items-center justify-between gap-2">
                <span className="truncate text-sm font-medium text-ink">{org?.name ?? "—"}</span>
                {role ? <Badge>{role}</Badge> : null}
              </div>
            )}
            <div className="mt-2 truncate text-xs text-ink-3">Signed in as {user.email}</div>
          </div>
          {others.length > 0 && org ? (
            <>
              <Menu.Separator className="my-1 h-px bg-line" />
              <Menu.Label className="px-2 pt-1.5 pb-1 text-2xs font-medium tracking-wide text-ink-3 uppercase">
                Switch organization
              </Menu.Label>
              <Menu.Item disabled className={itemClass}>
                <Check className="size-4" aria-hidden />
                <span className="truncate">{org.name}</span>
              </Menu.Item>
              {others.map((m) => (
                <Menu.Item key={m.organizationId} onSelect={() => switchTo(m.organizationId)} className={itemClass}>
                  <span className="size-4" aria-hidden />
                  <span className="flex-1 truncate">{m.name}</span>
                  <span className="text-2xs text-ink-3">{m.role}</span>
                </Menu.Item>
              ))}
            </>
          ) : null}
          <Menu.Separator className="my-1 h-px bg-line" />
          <Menu.Item
            onSelect={() => void signOut({ callbackUrl: "/signin" })}
            className={itemClass}
          >
            <LogOut className="size-4" aria-hidden /> Sign out
          </Menu.Item>
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}

const itemClass =
  "flex h-8 cursor-pointer items-center gap-2 rounded-md px-2 text-sm text-ink-2 outline-none data-[highlighted]:bg-zinc-100 data-[highlighted]:text-ink data-[disabled]:cursor-default data-[disabled]:text-ink";
