"use client";

import { useQuery } from "@tanstack/react-query";
import { Building2 } from "lucide-react";
import { useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { ErrorPanel } from "@/components/error-panel";
import { Input } from "@/components/field";
import { useTRPC } from "@/trpc/react";
import { ChoiceList } from "./choice-list";
import { ChoiceSkeleton, StepCard } from "./step-card";

export function CustomerStep({ value, onChange, onNext }: { value: string | null; onChange: (id: string) => void; onNext: () => void }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.customers.list.queryOptions());
  const [filter, setFilter] = useState("");
  const [error, setError] = useState<string | null>(null);
  const needle = filter.trim().toLowerCase();
  const shown = (q.data ?? []).filter(
    (c) => !needle || c.externalId.toLowerCase().includes(needle) || (c.name ?? "").toLowerCase().includes(needle) || c.id === value,
  );

  return (
    <StepCard
      title="Customer"
      description="Whose instance this is. It runs with that customer's connections and shows in their marketplace."
      testId="step-customer"
      nextDisabled={q.isPending || q.isError || q.data?.length === 0}
      onNext={() => {
        if (!value) return setError("Choose a customer.");
        onNext();
      }}
    >
      {q.isPending ? (
        <ChoiceSkeleton label="customers" />
      ) : q.isError ? (
        <ErrorPanel error={q.error} onRetry={() => q.refetch()} title="Could not load customers" />
      ) : q.data.length === 0 ? (
        <EmptyState icon={Building2} title="No customers yet" className="py-8">
          Customers appear when your backend creates them with <code className="font-mono text-xs">POST /api/v1/customers</code>, or the first
          time one opens the embedded marketplace.
        </EmptyState>
      ) : (
        <>
          {q.data.length > 6 ? (
            <div className="mb-3">
              <label htmlFor="customer-filter" className="sr-only">
                Filter customers
              </label>
              <Input id="customer-filter" type="search" placeholder="Filter by name or external id" value={filter} onChange={(e) => setFilter(e.target.value)} className="sm:w-72" />
            </div>
          ) : null}
          {shown.length === 0 ? (
            <p className="text-sm text-ink-3">No customer matches “{filter}”.</p>
          ) : (
            <ChoiceList
              name="customer"
              label="Customer"
              testId="customer-choices"
              value={value}
              error={error}
              onChange={(id) => {
                setError(null);
                onChange(id);
              }}
              choices={shown.map((c) => ({
                value: c.id,
                title: c.name ?? c.externalId,
                meta: `${c.instanceCount} instance${c.instanceCount === 1 ? "" : "s"}`,
                description: <span className="font-mono">{c.externalId}</span>,
              }))}
            />
          )}
        </>
      )}
    </StepCard>
  );
}
