"use client";

import { useState, type ReactNode } from "react";
import { toUiError } from "@/trpc/errors";
import { Button, type ButtonVariant } from "./button";
import { DialogClose, DialogContent, DialogRoot } from "./dialog";
import { FormAlert } from "./field";

/**
 * A confirm step with optional inputs: stays open showing the server's reason when the action
 * is refused (e.g. "the config does not fit version 3: priceList: required", or CONFLICT when
 * removing the last owner), closes on success.
 */
export function ActionDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  variant = "primary",
  onConfirm,
  children,
  disabled,
  className = "max-w-lg",
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: ReactNode;
  confirmLabel: string;
  variant?: ButtonVariant;
  onConfirm: () => Promise<unknown>;
  children?: ReactNode;
  disabled?: boolean;
  /** Width of the dialog (default max-w-lg). */
  className?: string;
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
        className={className}
        footer={
          <>
            <DialogClose asChild>
              <Button>Cancel</Button>
            </DialogClose>
            <Button
              variant={variant}
              loading={pending}
              disabled={disabled}
              data-testid="dialog-confirm"
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
        {children || error ? (
          <div className="space-y-3">
            {children}
            {error ? <FormAlert>{error}</FormAlert> : null}
          </div>
        ) : null}
      </DialogContent>
    </DialogRoot>
  );
}
