"use client";

import { Activity, Archive, Blocks, Boxes, Building2, KeyRound, Users, type LucideIcon } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/cn";

interface NavItem {
  href: string;
  label: string;
  icon: LucideIcon;
}

const groups: { label?: string; items: NavItem[] }[] = [
  {
    items: [
      { href: "/runs", label: "Runs", icon: Activity },
      { href: "/instances", label: "Instances", icon: Boxes },
      { href: "/integrations", label: "Integrations", icon: Blocks },
      { href: "/customers", label: "Customers", icon: Building2 },
    ],
  },
  {
    label: "Settings",
    items: [
      { href: "/settings/members", label: "Members", icon: Users },
      { href: "/settings/api-keys", label: "API keys", icon: KeyRound },
      { href: "/settings/retention", label: "Data retention", icon: Archive },
    ],
  },
];

export function Nav({ onNavigate }: { onNavigate?: () => void }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex flex-col gap-5">
      {groups.map((group, i) => (
        <div key={group.label ?? i}>
          {group.label ? (
            <div className="mb-1 px-2 text-2xs font-medium tracking-wide text-ink-3 uppercase">{group.label}</div>
          ) : null}
          <ul className="space-y-0.5">
            {group.items.map(({ href, label, icon: Icon }) => {
              const active = pathname === href || pathname.startsWith(`${href}/`);
              return (
                <li key={href}>
                  <Link
                    href={href}
                    onClick={onNavigate}
                    aria-current={active ? "page" : undefined}
                    className={cn(
                      "flex h-8 items-center gap-2.5 rounded-md px-2 text-sm transition-colors",
                      active ? "bg-zinc-200/60 font-medium text-ink" : "text-ink-2 hover:bg-zinc-100 hover:text-ink",
                    )}
                  >
                    <Icon aria-hidden className={cn("size-4", active ? "text-ink" : "text-ink-3")} />
                    {label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </nav>
  );
}
