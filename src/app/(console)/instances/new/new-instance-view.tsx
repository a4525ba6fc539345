"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { ConfigWizard, StepIndicator, type WizardStep } from "@/components/config-wizard";
import { Lock } from "lucide-react";
import { EmptyState } from "@/components/empty-state";
import { ErrorPanel } from "@/components/error-panel";
import { PageHeader } from "@/components/page-header";
import { Skeleton } from "@/components/skeleton";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { useCurrentOrg } from "../../use-current-org";
import { connectionTitle, ConnectionsStep } from "./connections-step";
import { useConsoleWizard } from "./console-wizard";
import { CustomerStep } from "./customer-step";
import { DeployedPanel } from "./deployed-panel";
import { IntegrationStep, type DeployTarget } from "./integration-step";

type Stage = "customer" | "integration" | "connections" | "config" | "done";
const STAGES = ["customer", "integration", "connections"] as const;

/**
 * Deploying an integration for a customer on their behalf: customer → integration → the
 * customer's connections → the integration's own config pages (the shared ConfigWizard) →
 * review → deploy. The wizard part is the same one customers get in the marketplace.
 */
export function NewInstanceView({ initialIntegrationKey, initialCustomerId }: { initialIntegrationKey: string | null; initialCustomerId: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [stage, setStage] = useState<Stage>("customer");
  const [customerId, setCustomerId] = useState<string | null>(initialCustomerId);
  const [target, setTarget] = useState<DeployTarget | null>(null);
  const [name, setName] = useState("");
  const [connections, setConnections] = useState<Record<string, string | undefined>>({});
  const [deployed, setDeployed] = useState<RouterOutputs["instances"]["deploy"] | null>(null);
  const org = useCurrentOrg();
  const forbidden = org.role !== undefined && !org.can("BUILDER");

  const customers = useQuery(trpc.customers.list.queryOptions());
  const targets = useQuery(trpc.instances.deployTargets.queryOptions());
  const form = useQuery({ ...trpc.configForms.get.queryOptions({ versionId: target?.version.id ?? "" }), enabled: !!target });
  const connectionList = useQuery({ ...trpc.connections.list.queryOptions({ customerId: customerId ?? "" }), enabled: !!customerId });
  const deploy = useMutation(trpc.instances.deploy.mutationOptions());
  const tools = useConsoleWizard(target && customerId ? { versionId: target.version.id, customerId, connections } : null);

  // ?integration=key preselects it (a link from the integration's page).
  useEffect(() => {
    if (!target && initialIntegrationKey && targets.data) {
      const hit = targets.data.find((t) => t.integration.key === initialIntegrationKey);
      if (hit) setTarget(hit);
    }
  }, [initialIntegrationKey, targets.data, target]);

  // A customer with exactly one connection for an app gets it preselected.
  useEffect(() => {
    if (!form.data || !connectionList.data) return;
    setConnections((current) => {
      const next = { ...current };
      for (const [key, d] of Object.entries(form.data.connections)) {
        if (next[key]) continue;
        const own = connectionList.data.filter((c) => c.appKey === d.app && c.status === "ACTIVE");
        if (own.length === 1) next[key] = own[0]!.id;
      }
      return next;
    });
  }, [form.data, connectionList.data]);

  const customer = customers.data?.find((c) => c.id === customerId);
  const customerName = customer ? (customer.name ?? customer.externalId) : "";
  const go = (s: Stage) => setStage(s);
  const before: WizardStep[] = [
    { label: "Customer", onSelect: () => go("customer") },
    { label: "Integration", onSelect: () => go("integration") },
    { label: "Connections", onSelect: () => go("connections") },
  ];
  const placeholderSteps: WizardStep[] = [...before, { label: "Settings" }, { label: "Review" }];

  function reset() {
    setDeployed(null);
    setConnections({});
    setName("");
    setTarget(null);
    setStage("customer");
  }

  return (
    <>
      <PageHeader
        eyebrow={
          <Link href="/instances" className="hover:text-ink hover:underline">
            Instances
          </Link>
        }
        title="Deploy an instance"
        description="Set up an integration for one of your customers, as they would in the marketplace."
      />
      <div className="max-w-3xl">
        {forbidden ? (
          <EmptyState icon={Lock} title="Only builders and owners deploy instances">
            Your role can see instances and their runs, but not set them up. Ask an owner of the organization for the Builder role.
          </EmptyState>
        ) : stage === "done" && deployed ? (
          <DeployedPanel deployed={deployed} customerName={customerName} onAnother={reset} />
        ) : stage === "config" && target && customerId ? (
          form.isPending ? (
            <WizardSkeleton steps={placeholderSteps} current={3} />
          ) : form.isError ? (
            <ErrorPanel error={form.error} onRetry={() => form.refetch()} title="Could not load the integration's settings" />
          ) : (
            <ConfigWizard
              key={`${target.version.id}:${customerId}`}
              configSchema={form.data.configSchema}
              configForm={form.data.configForm}
              connections={connections}
              connectionLabels={Object.fromEntries(Object.entries(form.data.connections).map(([k, d]) => [k, connectionTitle(k, d)]))}
              loadOptions={tools.loadOptions}
              describeError={tools.describeError}
              stepsBefore={before}
              onBack={() => go("connections")}
              submitLabel="Deploy"
              review={{
                intro: (
                  <ReviewSummary
                    rows={[
                      ["Customer", customerName],
                      ["Integration", `${target.integration.name} · v${target.version.number}`],
                      ["Instance name", name.trim() || target.integration.name],
                      ...Object.entries(form.data.connections)
                        .filter(([, d]) => d.auth !== "none")
                        .map(([k, d]): [string, string] => {
                          const c = connectionList.data?.find((x) => x.id === connections[k]);
                          return [connectionTitle(k, d), c ? (c.label ?? `${c.appName ?? c.appKey} connection`) : "Not chosen"];
                        }),
                    ]}
                  />
                ),
              }}
              onSubmit={async (config) => {
                const result = await deploy.mutateAsync({
                  customerId,
                  versionId: target.version.id,
                  config,
                  connections: Object.fromEntries(Object.entries(connections).filter((e): e is [string, string] => !!e[1])),
                  ...(name.trim() ? { name: name.trim() } : {}),
                });
                await queryClient.invalidateQueries({ queryKey: trpc.instances.list.queryKey() });
                setDeployed(result);
                setStage("done");
              }}
            />
          )
        ) : (
          <>
            <StepIndicator steps={form.data && stage !== "customer" ? [...before, { label: "Settings" }, { label: "Review" }] : placeholderSteps} current={STAGES.indexOf(stage as (typeof STAGES)[number])} />
            {stage === "customer" ? (
              <CustomerStep
                value={customerId}
                onChange={(id) => {
                  if (id !== customerId) setConnections({});
                  setCustomerId(id);
                }}
                onNext={() => go("integration")}
              />
            ) : stage === "integration" ? (
              <IntegrationStep
                value={target}
                onChange={(t) => {
                  if (t.version.id !== target?.version.id) setConnections({});
                  setTarget(t);
                }}
                name={name}
                onNameChange={setName}
                onBack={() => go("customer")}
                onNext={() => go("connections")}
              />
            ) : stage === "connections" && customerId && target ? (
              form.isPending ? (
                <WizardSkeleton steps={null} current={2} />
              ) : form.isError ? (
                <ErrorPanel error={form.error} onRetry={() => form.refetch()} title="Could not load the integration's connections" />
              ) : (
                <ConnectionsStep
                  customerId={customerId}
                  declared={form.data.connections}
                  value={connections}
                  onChange={(key, id) => setConnections((c) => ({ ...c, [key]: id }))}
                  onBack={() => go("integration")}
                  onNext={() => go("config")}
                />
              )
            ) : null}
          </>
        )}
      </div>
    </>
  );
}

function ReviewSummary({ rows }: { rows: Array<[string, string]> }) {
  return (
    <section aria-labelledby="review-setup">
      <h3 id="review-setup" className="mb-1.5 text-xs font-semibold tracking-wide text-ink-3 uppercase">
        Setup
      </h3>
      <dl className="divide-y divide-line rounded-md border border-line">
        {rows.map(([k, v]) => (
          <div key={k} className="grid gap-0.5 px-3 py-2 sm:grid-cols-[12rem_minmax(0,1fr)] sm:gap-3">
            <dt className="text-xs text-ink-3">{k}</dt>
            <dd className="text-sm break-words text-ink">{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function WizardSkeleton({ steps, current }: { steps: WizardStep[] | null; current: number }) {
  return (
    <div aria-busy="true" aria-label="Loading the integration's settings">
      {steps ? <StepIndicator steps={steps} current={current} /> : null}
      <div className="space-y-5 rounded-lg border border-line bg-surface px-5 py-4">
        <Skeleton className="h-4 w-40" />
        {[0, 1].map((i) => (
          <div key={i} className="space-y-1.5">
            <Skeleton className="h-3 w-24" />
            <Skeleton className="h-8 w-full" />
            <Skeleton className="h-3 w-56" />
          </div>
        ))}
      </div>
    </div>
  );
}

