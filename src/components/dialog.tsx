"use client";

import * as RadixDialog from "@radix-ui/react-dialog";
import { X } from "lucide-react";
import type { ReactNode } from "react";
import { cn } from "./cn";

export const DialogRoot = RadixDialog.Root;
export const DialogTrigger = RadixDialog.Trigger;
export const DialogClose = RadixDialog.Close;

/** A modal on Radix: traps focus, closes on Escape, returns focus to the trigger. */
export function DialogContent({
  title,
  description,
  children,
  footer,
  className,
  dismissible = true,
}: {
  title: string;
  description?: ReactNode;
  children?: ReactNode;
  footer?: ReactNode;
  className?: string;
  /** false for dialogs that must be closed with their own button (e.g. a secret shown once). */
  dismissible?: boolean;
}) {
  return (
    <RadixDialog.Portal>
      <RadixDialog.Overlay className="fixed inset-0 z-40 bg-zinc-950/30 backdrop-blur-[1px] data-[state=open]:animate-in" />
      <RadixDialog.Content
        onEscapeKeyDown={dismissible ? undefined : (e) => e.preventDefault()}
        onPointerDownOutside={dismissible ? undefined : (e) => e.preventDefault()}
        onInteractOutside={dismissible ? undefined : (e) => e.preventDefault()}
        className={cn(
          "fixed top-1/2 left-1/2 z-50 w-[calc(100vw-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2",
          "rounded-xl border border-line bg-surface shadow-xl outline-none",
          className,
        )}
      >
        <div className="flex items-start justify-between gap-4 px-5 pt-4">
          <div className="min-w-0">
            <RadixDialog.Title className="text-base font-semibold text-ink">{title}</RadixDialog.Title>
            {description ? (
              <RadixDialog.Description className="mt-1 text-sm text-ink-3">{description}</RadixDialog.Description>
            ) : (
              <RadixDialog.Description className="sr-only">{title}</RadixDialog.Description>
            )}
          </div>
          {dismissible ? (
            <RadixDialog.Close
              className="-mr-1.5 rounded-md p-1 text-ink-3 hover:bg-zinc-100 hover:text-ink"
              aria-label="Close"
            >
              <X className="size-4" aria-hidden />
            </RadixDialog.Close>
          ) : null}
        </div>
        {children ? <div className="px-5 pt-4">{children}</div> : null}
        {footer ? <div className="mt-5 flex justify-end gap-2 border-t border-line bg-zinc-50/60 px-5 py-3 rounded-b-xl">{footer}</div> : <div className="h-5" />}
      </RadixDialog.Content>
    </RadixDialog.Portal>
  );
}
