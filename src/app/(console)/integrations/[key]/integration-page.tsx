"use client";

import { IntegrationDetailView } from "@/components/integrations/integration-detail-view";
import { useCurrentOrg } from "../../use-current-org";

export function IntegrationPage({ integrationKey }: { integrationKey: string }) {
  const { can } = useCurrentOrg();
  // The role arrives with the shell's org query; until then actions stay hidden (the server decides anyway).
  return <IntegrationDetailView integrationKey={integrationKey} canEdit={can("BUILDER")} />;
}
