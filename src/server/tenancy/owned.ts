import { notFound } from "@/lib/errors";
import type { OrgScope } from "./scope";

// The only way a service reaches one row by id: the lookup filters by the scope's organization,
// so another tenant's id is indistinguishable from an id that does not exist (NOT_FOUND, never
// FORBIDDEN: a different answer would confirm that the id exists somewhere).

/** `where` fragment for lists: every tenant query starts from this. */
export function inOrg(scope: OrgScope): { organizationId: string } {
  return { organizationId: scope.organizationId };
}

function found<T>(row: T | null, what: string): T {
  if (!row) throw notFound(what);
  return row;
}

export async function getOwnedCustomer(scope: OrgScope, id: string) {
  const row = await scope.db.customer.findFirst({ where: { id, deletedAt: null, ...inOrg(scope) } });
  return found(row, "customer");
}

export async function getOwnedCustomerByExternalId(scope: OrgScope, externalId: string) {
  const row = await scope.db.customer.findFirst({ where: { externalId, deletedAt: null, ...inOrg(scope) } });
  return found(row, "customer");
}

export async function getOwnedIntegration(scope: OrgScope, id: string) {
  return found(await scope.db.integration.findFirst({ where: { id, ...inOrg(scope) } }), "integration");
}

export async function getOwnedIntegrationByKey(scope: OrgScope, key: string) {
  return found(await scope.db.integration.findFirst({ where: { key, ...inOrg(scope) } }), "integration");
}

export async function getOwnedVersion(scope: OrgScope, id: string) {
  return found(await scope.db.integrationVersion.findFirst({ where: { id, ...inOrg(scope) } }), "version");
}

export async function getOwnedInstance(scope: OrgScope, id: string) {
  const row = await scope.db.instance.findFirst({ where: { id, deletedAt: null, ...inOrg(scope) } });
  return found(row, "instance");
}

export async function getOwnedConnection(scope: OrgScope, id: string) {
  return found(await scope.db.connection.findFirst({ where: { id, ...inOrg(scope) } }), "connection");
}

export async function getOwnedExecution(scope: OrgScope, id: string) {
  return found(await scope.db.execution.findFirst({ where: { id, ...inOrg(scope) } }), "execution");
}

export async function getOwnedMember(scope: OrgScope, id: string) {
  return found(await scope.db.member.findFirst({ where: { id, ...inOrg(scope) } }), "member");
}

export async function getOwnedApiKey(scope: OrgScope, id: string) {
  return found(await scope.db.apiKey.findFirst({ where: { id, ...inOrg(scope) } }), "API key");
}

/** An invitation still open (not accepted); expired ones are found too, so an owner can clear them. */
export async function getOwnedInvitation(scope: OrgScope, id: string) {
  return found(await scope.db.invitation.findFirst({ where: { id, acceptedAt: null, ...inOrg(scope) } }), "invitation");
}
