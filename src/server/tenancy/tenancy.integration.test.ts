import { TRPCError } from "@trpc/server";
import { describe, expect } from "vitest";
import type { Db } from "@/lib/db";
import { dbTest } from "@/test/db-test";
import { REST_ENDPOINTS } from "../rest/endpoints";
import { toRouteHandler, type AnyEndpoint } from "../rest/handler";
import { appRouter } from "../routers/_app";
import { contextFor, seedTenant, type SeededTenant } from "../testing/seed-tenant";

// The tenancy rule of issue 2: a member (or API key) of org A who names any id of org B gets
// NOT_FOUND — not FORBIDDEN (which would confirm the id exists), and never B's data.

type Call = (caller: ReturnType<typeof appRouter.createCaller>, b: SeededTenant) => Promise<unknown>;

/** Every tRPC procedure that takes an id, called with org B's ids. */
const TRPC_ID_CALLS: Record<string, Call[]> = {
  "executions.get": [(c, b) => c.executions.get({ id: b.execution.id })],
  "executions.list": [
    (c, b) => c.executions.list({ instanceId: b.instance.id }),
    (c, b) => c.executions.list({ customerId: b.customer.id }),
  ],
  "executions.runManually": [(c, b) => c.executions.runManually({ instanceId: b.instance.id, flowKey: "onOrder" })],
  "executions.cancel": [(c, b) => c.executions.cancel({ id: b.execution.id })],
  "executions.replay": [(c, b) => c.executions.replay({ id: b.execution.id })],
  "executions.replayFailed": [
    (c, b) => c.executions.replayFailed({ instanceId: b.instance.id }),
    (c, b) => c.executions.replayFailed({ customerId: b.customer.id }),
  ],
  "members.updateRole": [(c, b) => c.members.updateRole({ memberId: b.users.OWNER.memberId, role: "SUPPORT" })],
  "members.remove": [(c, b) => c.members.remove({ memberId: b.users.SUPPORT.memberId })],
  "members.revokeInvitation": [(c, b) => c.members.revokeInvitation({ invitationId: b.invitation.id })],
  "apiKeys.revoke": [(c, b) => c.apiKeys.revoke({ id: b.apiKey.id })],
  "instances.pause": [(c, b) => c.instances.pause({ instanceId: b.instance.id })],
  "instances.resume": [(c, b) => c.instances.resume({ instanceId: b.instance.id })],
  "instances.upgrade": [(c, b) => c.instances.upgrade({ instanceId: b.instance.id, versionId: b.version.id })],
  "instances.deploy": [
    (c, b) => c.instances.deploy({ customerId: b.customer.id, versionId: b.version.id, config: {}, connections: {} }),
  ],
  "instances.setup": [(c, b) => c.instances.setup({ instanceId: b.instance.id })],
  "instances.updateConfig": [(c, b) => c.instances.updateConfig({ instanceId: b.instance.id, config: {} })],
  "instances.detail": [(c, b) => c.instances.detail({ instanceId: b.instance.id })],
  "instances.rotateWebhookUrl": [(c, b) => c.instances.rotateWebhookUrl({ instanceId: b.instance.id, flowKey: "onOrder" })],
  "instances.revealSigningSecret": [(c, b) => c.instances.revealSigningSecret({ instanceId: b.instance.id, flowKey: "onOrder" })],
  "instances.rotateSigningSecret": [(c, b) => c.instances.rotateSigningSecret({ instanceId: b.instance.id, flowKey: "onOrder" })],
  "connections.list": [(c, b) => c.connections.list({ customerId: b.customer.id })],
  "connections.createApiKey": [(c, b) => c.connections.createApiKey({ customerId: b.customer.id, appKey: "erp", apiKey: "stolen" })],
  "integrations.setVisibility": [(c, b) => c.integrations.setVisibility({ integrationId: b.integration.id, audience: "all" })],
  "versions.deprecate": [(c, b) => c.versions.deprecate({ versionId: b.version.id, deprecated: true })],
  "versions.pause": [(c, b) => c.versions.pause({ versionId: b.version.id })],
  "versions.resume": [(c, b) => c.versions.resume({ versionId: b.version.id })],
  "versions.startRollout": [(c, b) => c.versions.startRollout({ fromVersionId: b.version.id, toVersionId: b.version.id, slice: { kind: "count", count: 1 } })],
  "versions.continueRollout": [(c, b) => c.versions.continueRollout({ rolloutId: b.instance.id })],
  "versions.rollBackRollout": [(c, b) => c.versions.rollBackRollout({ rolloutId: b.instance.id })],
  "configForms.get": [(c, b) => c.configForms.get({ versionId: b.version.id })],
  "configForms.options": [
    (c, b) => c.configForms.options({ versionId: b.version.id, customerId: b.customer.id, connections: {}, field: "warehouse", config: {} }),
  ],
};

/** Procedures whose input names a row of the org by id (by key name); the table above must cover them. */
function idTakingProcedures(): string[] {
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { inputs: unknown[] } }>;
  return Object.entries(procedures)
    .filter(([, p]) =>
      p._def.inputs.some((input) => {
        const shape = (input as { shape?: Record<string, unknown> }).shape ?? {};
        return Object.keys(shape).some((k) => k === "id" || k.endsWith("Id"));
      }),
    )
    .map(([path]) => path)
    .filter((path) => !path.startsWith("auth.")); // public, tokens rather than ids
}

/** Org B's ids for each REST operation that names a row (path parameters and id-ish filters). */
const REST_ID_CASES: Record<string, (b: SeededTenant) => { params?: Record<string, string>; query?: string; body?: unknown }[]> = {
  getCustomer: (b) => [{ params: { externalId: b.customer.externalId } }],
  updateCustomer: (b) => [{ params: { externalId: b.customer.externalId }, body: { name: "stolen" } }],
  deleteCustomer: (b) => [{ params: { externalId: b.customer.externalId } }],
  getInstance: (b) => [{ params: { id: b.instance.id } }],
  upgradeInstance: (b) => [{ params: { id: b.instance.id }, body: { version: 1 } }],
  pauseInstance: (b) => [{ params: { id: b.instance.id } }],
  resumeInstance: (b) => [{ params: { id: b.instance.id } }],
  rotateWebhookUrl: (b) => [{ params: { id: b.instance.id, flowKey: "onOrder" } }],
  getSigningSecret: (b) => [{ params: { id: b.instance.id, flowKey: "onOrder" } }],
  rotateSigningSecret: (b) => [{ params: { id: b.instance.id, flowKey: "onOrder" } }],
  listInstances: (b) => [{ query: `customer=${encodeURIComponent(b.customer.externalId)}` }],
  getExecution: (b) => [{ params: { id: b.execution.id } }],
  runInstance: (b) => [{ params: { id: b.instance.id }, body: { flowKey: "onOrder" } }],
  cancelExecution: (b) => [{ params: { id: b.execution.id } }],
  replayExecution: (b) => [{ params: { id: b.execution.id } }],
  // Integration keys are names within an org: B's key ("sync-b") does not exist in A.
  listIntegrationVersions: (b) => [{ params: { key: b.integration.key } }],
  // Publishing under a key A does not have creates A's own integration of that name — that is
  // not B's row, so there is no id of B to try; the case is listed to keep the coverage check honest.
  publishIntegrationVersion: () => [],
  listExecutions: (b) => [
    { query: `instance=${b.instance.id}` },
    { query: `customer=${encodeURIComponent(b.customer.externalId)}` },
  ],
};

function restRequest(db: Db, endpoint: AnyEndpoint, key: string, c: { params?: Record<string, string>; query?: string; body?: unknown }) {
  let path = endpoint.path;
  for (const [name, value] of Object.entries(c.params ?? {})) path = path.replace(`{${name}}`, encodeURIComponent(value));
  const url = `http://localhost${path}${c.query ? `?${c.query}` : ""}`;
  const req = new Request(url, {
    method: endpoint.method,
    headers: { authorization: `Bearer ${key}`, ...(c.body !== undefined && { "content-type": "application/json" }) },
    body: c.body === undefined ? undefined : JSON.stringify(c.body),
  });
  return toRouteHandler(endpoint, () => ({ db }))(req, { params: Promise.resolve(c.params ?? {}) });
}

/** Every id of B that must never show up in an answer to A. */
function idsOf(b: SeededTenant): string[] {
  return [
    b.organizationId,
    b.customer.id,
    b.customer.externalId,
    b.integration.id,
    b.version.id,
    b.instance.id,
    b.webhook.token,
    b.connection.id,
    b.execution.id,
    b.step.id,
    b.log.id,
    b.exchange.id,
    b.invitation.id,
    b.apiKey.id,
    b.users.OWNER.memberId,
    b.users.SUPPORT.memberId,
    b.users.OWNER.email,
  ];
}

async function expectNotFound(promise: Promise<unknown>) {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected NOT_FOUND, got data: ${JSON.stringify(value)}`);
    },
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe("NOT_FOUND");
}

describe("tenancy", () => {
  dbTest("the id table covers every tRPC procedure that takes an id", () => {
    expect(Object.keys(TRPC_ID_CALLS).sort()).toEqual(idTakingProcedures().sort());
  });

  dbTest("the REST table covers every endpoint with a path parameter or an id filter", () => {
    const naming = REST_ENDPOINTS.filter(
      (e) => e.params || Object.keys(e.query?.shape ?? {}).some((k) => k === "customer" || k === "instance"),
    ).map((e) => e.operationId);
    expect(Object.keys(REST_ID_CASES).sort()).toEqual(naming.sort());
  });

  dbTest("a member of org A gets NOT_FOUND for every id of org B through tRPC", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const b = await seedTenant(db, "b");
    // OWNER of A: the highest role, so a refusal can only come from tenancy, never from the role check.
    const caller = appRouter.createCaller(contextFor(db, a.users.OWNER.userId));
    for (const [path, calls] of Object.entries(TRPC_ID_CALLS)) {
      for (const call of calls) {
        await expectNotFound(call(caller, b)).catch((err: Error) => {
          throw new Error(`${path}: ${err.message}`);
        });
      }
    }
    // B is untouched by A's attempts.
    expect(await db.member.count({ where: { organizationId: b.organizationId } })).toBe(3);
    expect((await db.member.findUniqueOrThrow({ where: { id: b.users.OWNER.memberId } })).role).toBe("OWNER");
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: b.apiKey.id } })).revokedAt).toBeNull();
  });

  dbTest("lists and the current org of a member of A hold nothing of B, whatever the org cookie says", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const b = await seedTenant(db, "b");
    // A stale or forged active-org cookie naming B is ignored: the user is not a member of B.
    const caller = appRouter.createCaller(contextFor(db, a.users.OWNER.userId, b.organizationId));
    const answers = {
      org: await caller.org.current(),
      executions: await caller.executions.list({}),
      instances: await caller.instances.list(),
      integrations: await caller.integrations.list(),
      customers: await caller.customers.list(),
      members: await caller.members.list(),
      invitations: await caller.members.invitations(),
      apiKeys: await caller.apiKeys.list(),
    };
    expect(answers.org.id).toBe(a.organizationId);
    expect(answers.executions.items.map((e) => e.id)).toEqual([a.execution.id]);
    expect(answers.instances.map((i) => i.id)).toEqual([a.instance.id]);
    expect(answers.customers.map((c) => c.id)).toEqual([a.customer.id]);
    const text = JSON.stringify(answers);
    for (const id of idsOf(b)) expect(text).not.toContain(id);
  });

  dbTest("an API key of org A gets NOT_FOUND for every id of org B through the REST API", async ({ db }) => {
    const a = await seedTenant(db, "a");
    const b = await seedTenant(db, "b");
    for (const endpoint of REST_ENDPOINTS) {
      for (const c of REST_ID_CASES[endpoint.operationId]?.(b) ?? []) {
        const res = await restRequest(db, endpoint, a.apiKey.key, c);
        const text = await res.text();
        expect({ op: endpoint.operationId, status: res.status }).toEqual({ op: endpoint.operationId, status: 404 });
        expect(JSON.parse(text).error.code).toBe("NOT_FOUND");
        for (const id of idsOf(b)) expect(text).not.toContain(id);
      }
    }
    // And the unfiltered lists of A show none of B.
    for (const endpoint of REST_ENDPOINTS.filter((e) => e.method === "GET" && !e.params)) {
      const res = await restRequest(db, endpoint, a.apiKey.key, {});
      expect(res.status).toBe(200);
      const text = await res.text();
      for (const id of idsOf(b)) expect(text).not.toContain(id);
    }
    const customerB = await db.customer.findUniqueOrThrow({ where: { id: b.customer.id } });
    expect(customerB).toMatchObject({ deletedAt: null, name: b.customer.name });
  });
});
