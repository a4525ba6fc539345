import { recordAudit } from "../audit/record-audit";
import { getOwnedIntegration } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";

export interface MarketplaceVisibilityInput {
  integrationId: string;
  /** "hidden": not in the marketplace; "all": every customer; "labels": customers with any of `labels`. */
  audience: "hidden" | "all" | "labels";
  labels?: string[];
}

/** Who sees the integration in the embedded marketplace. Existing instances are not affected. */
export async function setMarketplaceVisibility(scope: OrgScope, input: MarketplaceVisibilityInput) {
  const integration = await getOwnedIntegration(scope, input.integrationId);
  const labels = input.audience === "labels" ? [...new Set((input.labels ?? []).map((l) => l.trim()).filter(Boolean))] : [];
  const visible = input.audience === "all" || (input.audience === "labels" && labels.length > 0);
  return scope.db.$transaction(async (tx) => {
    const updated = await tx.integration.update({
      where: { id: integration.id },
      data: { marketplaceVisible: visible, visibleToLabels: labels },
      select: { id: true, marketplaceVisible: true, visibleToLabels: true },
    });
    await recordAudit(scope, { action: "integration.visibilityChanged", targetType: "integration", targetId: integration.id, data: { visible, labels } }, tx);
    return updated;
  });
}
