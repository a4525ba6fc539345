"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Trash2, Users } from "lucide-react";
import { useSession } from "next-auth/react";
import { useState } from "react";
import { Badge } from "@/components/badge";
import { Button } from "@/components/button";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { DataTable, TableSkeleton, TBody, Td, Th, THead, Tr } from "@/components/data-table";
import { EmptyState } from "@/components/empty-state";
import { ErrorPanel } from "@/components/error-panel";
import { FormAlert, Select } from "@/components/field";
import { RelativeTime } from "@/components/time";
import { toUiError } from "@/trpc/errors";
import { useTRPC } from "@/trpc/react";
import type { Role, RouterOutputs } from "@/trpc/types";
import { useCurrentOrg } from "../../use-current-org";
import { InviteForm } from "./invite-form";
import { PendingInvitations } from "./pending-invitations";
import { ROLE_LABEL } from "./roles";

type Member = RouterOutputs["members"]["list"][number];

const baseColumns = [
  { header: "Member", width: "w-48", twoLine: true },
  { header: "Role", width: "w-20", className: "w-px" },
  { header: "Joined", width: "w-16", className: "hidden sm:table-cell" },
];
const ownerColumns = [...baseColumns, { header: "", width: "w-6", className: "w-px" }];

export function MembersView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can, query: orgQuery } = useCurrentOrg();
  const isOwner = can("OWNER");
  const columns = isOwner ? ownerColumns : baseColumns;
  const me = useSession().data?.user?.id;
  const q = useQuery(trpc.members.list.queryOptions());
  const invalidate = () => Promise.all([
    queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() }),
    // My own role may have changed.
    queryClient.invalidateQueries({ queryKey: trpc.org.current.queryKey() }),
  ]);
  const updateRole = useMutation(trpc.members.updateRole.mutationOptions({ onSettled: invalidate }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSettled: invalidate }));
  const [removing, setRemoving] = useState<Member | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function changeRole(member: Member, role: Role) {
    setNotice(null);
    try {
      await updateRole.mutateAsync({ memberId: member.id, role });
    } catch (err) {
      const ui = toUiError(err);
      setNotice(ui.code === "CONFLICT" ? "An organization needs at least one owner: make someone else owner first." : ui.message);
    }
  }

  return (
    <>
      {isOwner ? <InviteForm /> : null}
      {isOwner ? <PendingInvitations /> : null}
      {!isOwner && !orgQuery.isPending ? (
        <p className="mb-4 text-sm text-ink-3">Only owners can invite members, change roles or remove members.</p>
      ) : null}
      {notice ? (
        <div className="mb-3">
          <FormAlert>{notice}</FormAlert>
        </div>
      ) : null}
      {q.isPending ? (
        <TableSkeleton columns={columns} rows={4} label="members" />
      ) : q.isError ? (
        <ErrorPanel error={q.error} onRetry={() => q.refetch()} title="Could not load members" />
      ) : q.data.length === 0 ? (
        <EmptyState icon={Users} title="No members">
          Members join through an invite link created by an owner.
        </EmptyState>
      ) : (
        <DataTable label="Members">
          <THead>
            <tr>
              {columns.map((c) => (
                <Th key={c.header || "actions"} className={c.className}>
                  {c.header || <span className="sr-only">Actions</span>}
                </Th>
              ))}
            </tr>
          </THead>
          <TBody>
            {q.data.map((m) => (
              <Tr key={m.id}>
                <Td className="max-w-0 py-2 sm:min-w-48">
                  <span className="flex min-w-0 items-center gap-2">
                    <span className="truncate font-medium">{m.name ?? m.email}</span>
                    {m.userId === me ? <Badge tone="blue">You</Badge> : null}
                  </span>
                  <span className="block truncate text-xs text-ink-3">{m.email}</span>
                </Td>
                <Td className="w-px">
                  {isOwner ? (
                    <Select
                      aria-label={`Role of ${m.email}`}
                      value={m.role}
                      disabled={updateRole.isPending && updateRole.variables?.memberId === m.id}
                      onChange={(e) => void changeRole(m, e.target.value as Role)}
                      className="w-[7.5rem] sm:w-32"
                    >
                      {(["OWNER", "BUILDER", "SUPPORT"] as const).map((r) => (
                        <option key={r} value={r}>
                          {ROLE_LABEL[r]}
                        </option>
                      ))}
                    </Select>
                  ) : (
                    <Badge tone={m.role === "OWNER" ? "violet" : "neutral"}>{ROLE_LABEL[m.role]}</Badge>
                  )}
                </Td>
                <Td className="hidden whitespace-nowrap text-ink-2 sm:table-cell">
                  <RelativeTime date={m.createdAt} />
                </Td>
                {isOwner ? (
                  <Td className="w-px text-right">
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Remove ${m.email}`}
                      title="Remove member"
                      onClick={() => setRemoving(m)}
                      className="text-ink-3 hover:text-red-700"
                    >
                      <Trash2 aria-hidden />
                    </Button>
                  </Td>
                ) : null}
              </Tr>
            ))}
          </TBody>
        </DataTable>
      )}
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title="Remove member?"
        description={
          removing ? (
            <>
              <strong className="font-medium text-ink">{removing.email}</strong> loses access to this organization at once.
              {removing.userId === me ? " That is you: you will lose access too." : ""}
            </>
          ) : null
        }
        confirmLabel="Remove member"
        onConfirm={async () => {
          if (!removing) return;
          try {
            await remove.mutateAsync({ memberId: removing.id });
          } catch (err) {
            if (toUiError(err).code === "CONFLICT") throw new Error("An organization needs at least one owner: make someone else owner first.");
            throw err;
          }
        }}
      />
    </>
  );
}
