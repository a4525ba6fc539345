"use client";

import { Eye, EyeOff, Store } from "lucide-react";
import { useState } from "react";
import { Badge } from "../badge";
import { Button } from "../button";
import { Field, Input, Select } from "../field";
import { ActionDialog } from "@/components/action-dialog";
import type { IntegrationActions } from "./use-integration-actions";
import type { IntegrationDetail } from "./types";

type Audience = "hidden" | "all" | "labels";

function audienceOf(d: IntegrationDetail): Audience {
  if (!d.marketplaceVisible) return "hidden";
  return d.visibleToLabels.length ? "labels" : "all";
}

/** Who sees the integration in the embedded marketplace, and (for builders) a dialog to change it. */
export function VisibilityControl({ detail, canEdit, actions }: { detail: IntegrationDetail; canEdit: boolean; actions: IntegrationActions }) {
  const [open, setOpen] = useState(false);
  const [audience, setAudience] = useState<Audience>(audienceOf(detail));
  const [labels, setLabels] = useState(detail.visibleToLabels.join(", "));
  const current = audienceOf(detail);
  const parsed = labels.split(",").map((l) => l.trim()).filter(Boolean);

  return (
    <>
      <span data-testid="marketplace-visibility" className="inline-flex items-center gap-1.5">
        {current === "hidden" ? (
          <Badge tone="muted">
            <EyeOff className="size-3" aria-hidden /> Not in marketplace
          </Badge>
        ) : current === "all" ? (
          <Badge tone="green">
            <Eye className="size-3" aria-hidden /> Marketplace: all customers
          </Badge>
        ) : (
          <Badge tone="violet">
            <Eye className="size-3" aria-hidden /> Marketplace: labels {detail.visibleToLabels.join(", ")}
          </Badge>
        )}
      </span>
      {canEdit ? (
        <Button
          size="sm"
          onClick={() => {
            setAudience(current);
            setLabels(detail.visibleToLabels.join(", "));
            setOpen(true);
          }}
        >
          <Store aria-hidden /> Marketplace…
        </Button>
      ) : null}
      <ActionDialog
        open={open}
        onOpenChange={setOpen}
        title="Marketplace visibility"
        description="Who can find and deploy this integration in your product's embedded marketplace. Instances already deployed are not affected."
        confirmLabel="Save"
        disabled={audience === "labels" && parsed.length === 0}
        onConfirm={() => actions.setVisibility.mutateAsync({ integrationId: detail.id, audience, ...(audience === "labels" && { labels: parsed }) })}
      >
        <Field id="audience" label="Visible to">
          <Select id="audience" value={audience} onChange={(e) => setAudience(e.target.value as Audience)}>
            <option value="hidden">Nobody (hidden)</option>
            <option value="all">All customers</option>
            <option value="labels">Customers with labels…</option>
          </Select>
        </Field>
        {audience === "labels" ? (
          <Field id="labels" label="Labels" hint="Comma-separated; a customer with any of them sees it.">
            <Input id="labels" value={labels} onChange={(e) => setLabels(e.target.value)} placeholder="beta, enterprise" />
          </Field>
        ) : null}
      </ActionDialog>
    </>
  );
}
