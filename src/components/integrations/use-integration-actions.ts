"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";

/** The page's mutations; each refreshes the integration page and the lists that show the same instances. */
export function useIntegrationActions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onSuccess = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.integrations.detail.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.integrations.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.instances.list.queryKey() }),
    ]);
  };
  return {
    upgrade: useMutation(trpc.instances.upgrade.mutationOptions({ onSettled: onSuccess })),
    deprecate: useMutation(trpc.versions.deprecate.mutationOptions({ onSuccess })),
    pauseVersion: useMutation(trpc.versions.pause.mutationOptions({ onSuccess })),
    resumeVersion: useMutation(trpc.versions.resume.mutationOptions({ onSuccess })),
    startRollout: useMutation(trpc.versions.startRollout.mutationOptions({ onSettled: onSuccess })),
    continueRollout: useMutation(trpc.versions.continueRollout.mutationOptions({ onSettled: onSuccess })),
    rollBackRollout: useMutation(trpc.versions.rollBackRollout.mutationOptions({ onSettled: onSuccess })),
    setVisibility: useMutation(trpc.integrations.setVisibility.mutationOptions({ onSuccess })),
  };
}

export type IntegrationActions = ReturnType<typeof useIntegrationActions>;
