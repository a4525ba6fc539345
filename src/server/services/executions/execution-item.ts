import type { ErrorClass, ExecutionStatus, TriggerType } from "@/generated/prisma/client";

/** The relations every execution row is shown with. */
export const EXECUTION_ITEM_INCLUDE = {
  instance: { select: { id: true, name: true } },
  customer: { select: { id: true, externalId: true, name: true } },
  version: { select: { number: true, integration: { select: { key: true, name: true } } } },
} as const;

type Row = {
  id: string;
  status: ExecutionStatus;
  flowKey: string;
  triggerType: TriggerType;
  reference: string | null;
  attempt: number;
  errorClass: ErrorClass | null;
  errorMessage: string | null;
  customerMessage: string | null;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  instance: { id: string; name: string };
  customer: { id: string; externalId: string; name: string | null };
  version: { number: number; integration: { key: string; name: string } };
};

export type ExecutionListItem = Omit<Row, "version"> & {
  durationMs: number | null;
  integration: { key: string; name: string };
  version: { number: number };
};

export function durationMs(startedAt: Date | null, finishedAt: Date | null): number | null {
  return startedAt && finishedAt ? finishedAt.getTime() - startedAt.getTime() : null;
}

export function toExecutionListItem(row: Row): ExecutionListItem {
  return {
    id: row.id,
    status: row.status,
    flowKey: row.flowKey,
    triggerType: row.triggerType,
    reference: row.reference,
    attempt: row.attempt,
    errorClass: row.errorClass,
    errorMessage: row.errorMessage,
    customerMessage: row.customerMessage,
    queuedAt: row.queuedAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    durationMs: durationMs(row.startedAt, row.finishedAt),
    instance: row.instance,
    customer: row.customer,
    integration: row.version.integration,
    version: { number: row.version.number },
  };
}
