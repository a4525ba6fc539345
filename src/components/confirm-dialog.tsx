"use client";

import { useState, type ReactNode } from "react";
import { toUiError } from "@/trpc/errors";
import { Button } from "./button";
import { DialogClose, DialogContent, DialogRoot } from "./dialog";
import { FormAlert } from "./field";

/**
 * "Are you sure?" for destructive actions. Stays open with the error if the action fails
 * (e.g. CONFLICT: removing the last owner), closes when it succeeds.
 */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  onConfirm,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  return (
    <DialogRoot
      open={open}
      onOpenChange={(next) => {
        if (!next) setError(null);
        onOpenChange(next);
      }}
    >
      <DialogContent
        title={title}
        description={description}
        footer={
          <>
            <DialogClose asChild>
              <Button>Cancel</Button>
            </DialogClose>
            <Button
              variant="danger"
              loading={pending}
              onClick={async () => {
                setPending(true);
                setError(null);
                try {
                  await onConfirm();
                  onOpenChange(false);
                } catch (err) {
                  setError(toUiError(err).message);
                } finally {
                  setPending(false);
                }
              }}
            >
              {confirmLabel}
            </Button>
          </>
        }
      >
        {error ? <FormAlert>{error}</FormAlert> : null}
      </DialogContent>
    </DialogRoot>
  );
}
