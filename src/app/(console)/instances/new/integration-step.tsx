"use client";

import { useQuery } from "@tanstack/react-query";
import { Puzzle } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { ErrorPanel } from "@/components/error-panel";
import { Field, Input } from "@/components/field";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import { ChoiceList } from "./choice-list";
import { ChoiceSkeleton, StepCard } from "./step-card";

export type DeployTarget = RouterOutputs["instances"]["deployTargets"][number];

export function IntegrationStep({
  value,
  onChange,
  name,
  onNameChange,
  onBack,
  onNext,
}: {
  value: DeployTarget | null;
  onChange: (t: DeployTarget) => void;
  name: string;
  onNameChange: (name: string) => void;
  onBack: () => void;
  onNext: () => void;
}) {
  const trpc = useTRPC();
  const q = useQuery(trpc.instances.deployTargets.queryOptions());
  const [error, setError] = useState<string | null>(null);

  return (
    <StepCard
      title="Integration"
      description="Each integration deploys at its newest published version."
      testId="step-integration"
      onBack={onBack}
      nextDisabled={q.isPending || q.isError || q.data?.length === 0}
      onNext={() => {
        if (!value) return setError("Choose an integration.");
        onNext();
      }}
    >
      {q.isPending ? (
        <ChoiceSkeleton label="integrations" rows={2} />
      ) : q.isError ? (
        <ErrorPanel error={q.error} onRetry={() => q.refetch()} title="Could not load integrations" />
      ) : q.data.length === 0 ? (
        <EmptyState icon={Puzzle} title="Nothing to deploy yet" className="py-8">
          Publish a version first: <code className="font-mono text-xs">npx portico publish ./integrations/&lt;name&gt;</code>. Deprecated and paused
          versions are not offered. See <Link href="/integrations" className="text-accent hover:underline">Integrations</Link>.
        </EmptyState>
      ) : (
        <div className="space-y-4">
          <ChoiceList
            name="integration"
            label="Integration"
            testId="integration-choices"
            value={value?.integration.key ?? null}
            error={error}
            onChange={(key) => {
              setError(null);
              const t = q.data.find((d) => d.integration.key === key);
              if (t) onChange(t);
            }}
            choices={q.data.map((t) => ({
              value: t.integration.key,
              title: t.integration.name,
              meta: `v${t.version.number}`,
              description: t.integration.description || t.integration.category,
            }))}
          />
          <Field id="instance-name" label="Instance name (optional)" hint={`Shown in lists; defaults to the integration's name${value ? ` (“${value.integration.name}”)` : ""}.`}>
            <Input id="instance-name" value={name} maxLength={200} onChange={(e) => onNameChange(e.target.value)} placeholder={value?.integration.name} className="sm:w-80" />
          </Field>
        </div>
      )}
    </StepCard>
  );
}
