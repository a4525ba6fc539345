import type { InstanceStatus } from "@/generated/prisma/client";
import { webhookUrl } from "./webhook-url";

export const INSTANCE_ITEM_INCLUDE = {
  customer: { select: { id: true, externalId: true, name: true } },
  integration: { select: { key: true, name: true } },
  version: { select: { number: true } },
  webhookEndpoints: { select: { flowKey: true, token: true }, orderBy: { flowKey: "asc" } },
} as const;

type Row = {
  id: string;
  name: string;
  status: InstanceStatus;
  statusReason: string | null;
  createdAt: Date;
  customer: { id: string; externalId: string; name: string | null };
  integration: { key: string; name: string };
  version: { number: number };
  webhookEndpoints: { flowKey: string; token: string }[];
};

export type InstanceListItem = Omit<Row, "webhookEndpoints"> & { webhooks: { flowKey: string; url: string }[] };

export function toInstanceListItem(row: Row): InstanceListItem {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    statusReason: row.statusReason,
    createdAt: row.createdAt,
    customer: row.customer,
    integration: row.integration,
    version: row.version,
    webhooks: row.webhookEndpoints.map((w) => ({ flowKey: w.flowKey, url: webhookUrl(w.token) })),
  };
}
