"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import type { Role } from "@/trpc/types";

const rank: Record<Role, number> = { SUPPORT: 0, BUILDER: 1, OWNER: 2 };

/** The signed-in member's organization and role; shared (one request) by the shell and pages. */
export function useCurrentOrg() {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.org.current.queryOptions(), staleTime: 60_000 });
  const role = q.data?.role;
  return {
    query: q,
    org: q.data,
    role,
    /** Hides actions the server would refuse; the server still decides. */
    can: (min: Role) => (role ? rank[role] >= rank[min] : false),
  };
}
