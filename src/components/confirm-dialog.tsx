"use client";

import type { ReactNode } from "react";
import { ActionDialog } from "./action-dialog";

/** "Are you sure?" for destructive actions: an ActionDialog with a red confirm button and nothing to fill in. */
export function ConfirmDialog(props: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
}) {
  return <ActionDialog {...props} variant="danger" className="" />;
}
