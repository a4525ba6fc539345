import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect } from "vitest";
import { buildBundle } from "@/engine/bundle/build-bundle";
import { createAddressPolicy } from "@/engine/http/address-policy";
import { createOutboundAgent } from "@/engine/http/outbound-agent";
import { ERP_KEY, seedOrdersInstance, testLogger } from "@/engine/testing/walking-skeleton";
import { AppError } from "@/lib/errors";
import { dbTest } from "@/test/db-test";
import { startSandbox, type RunningSandbox } from "../../../../sandbox/server";
import { sandboxAdmin } from "../../../../sandbox/admin-client";
import { maskSecret } from "../../../../sandbox/request-log";
import { configOptionsEndpoint } from "../../rest/endpoints/config-options";
import { toRouteHandler } from "../../rest/handler";
import { createApiKey } from "../api-keys/create-api-key";
import { publishVersion } from "../integrations/publish-version";
import { getConfigForm } from "./get-config-form";
import { loadConfigOptions } from "./load-config-options";
import { closeOptionsThreads } from "./options-runner";

// The config wizard's server side: the form of a version, and a field's choices loaded by the
// integration's own loader from the customer's connected account (the sandbox ERP, over HTTP).

const test = dbTest.extend<{ sandbox: RunningSandbox }>({
  // eslint-disable-next-line no-empty-pattern -- vitest reads fixture dependencies from this pattern
  sandbox: async ({}, use) => {
    const sandbox = await startSandbox({ port: 0 });
    await use(sandbox);
    await sandbox.close();
  },
});

const policy = createAddressPolicy(["127.0.0.1", "localhost"]);
const outbound = { policy, dispatcher: createOutboundAgent({ policy }) };
const deps = { outbound, logger: testLogger };
afterAll(() => closeOptionsThreads());

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** A one-field integration whose warehouse loader is `loader` (source text), published into the seeded org. */
async function publishWithLoader(scope: Awaited<ReturnType<typeof seedOrdersInstance>>["scope"], loader: string) {
  const dir = mkdtempSync(path.join(tmpdir(), "portico-options-"));
  const file = path.join(dir, "index.ts");
  writeFileSync(
    file,
    `import { defineIntegration, z } from "portico/sdk";
export default defineIntegration({
  key: "loader-faults", name: "Loader faults",
  config: z.object({ warehouse: z.string().default("MAIN") }),
  connections: { erp: { app: "erp", auth: "none" } },
  configOptions: { warehouse: { connection: "erp", load: ${loader} } },
  flows: { f: { trigger: { manual: true }, run: async () => 1 } },
});
`,
  );
  return (await publishVersion(scope, { bundle: await buildBundle(file), changelog: "" })).version;
}

describe("config forms", () => {
  test("the form of orders-to-erp: its pages in order, stable ids, and the warehouse loaded through the ERP connection", async ({ db, sandbox }) => {
    const s = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const view = await getConfigForm(s.scope, { versionId: s.version.id });
    expect(view.configForm.pages.map((p) => [p.key, p.fields])).toEqual([
      ["booking", ["customerAccount"]],
      ["shipping", ["region", "warehouse"]],
    ]);
    expect(view.configForm.fields.warehouse).toEqual({ id: "warehouse", options: { connection: "erp", dependsOn: ["region"] } });
    expect(view.configSchema).toMatchObject({ properties: { warehouse: { title: "Warehouse", default: "MAIN", description: "Warehouse code the ERP ships from" } } });
    expect(JSON.stringify(view.configSchema)).not.toContain("x-portico");
    expect(view.connections).toEqual({ erp: { app: "erp", auth: "apiKey", description: "Your ERP account" } });
  });

  test("a field's options come from the customer's account and follow the fields they depend on", async ({ db, sandbox }) => {
    const s = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const input = { versionId: s.version.id, customerId: s.customer.id, connections: { erp: s.connection.id }, field: "warehouse" };
    const all = await loadConfigOptions(s.scope, { ...input, config: {} }, deps);
    expect(all.options.map((o) => o.value)).toEqual(["MAIN", "BER-1", "HAM-2", "VIE-1"]);
    expect(all.options[1]).toEqual({ value: "BER-1", label: "Berlin (BER-1)" });
    const austria = await loadConfigOptions(s.scope, { ...input, config: { region: "AT", notAField: "dropped" } }, deps);
    expect(austria.options).toEqual([{ value: "VIE-1", label: "Vienna (VIE-1)" }]);

    // The call went to the ERP with the connection's key, as a flow's would.
    const [first] = await sandboxAdmin(sandbox.url).requests({ app: "erp" });
    expect(first).toMatchObject({ method: "GET", path: "/erp/api/warehouses", headers: { "x-api-key": maskSecret(ERP_KEY) } });
  });

  test("a field without options, a missing connection and another customer's connection are refused", async ({ db, sandbox }) => {
    const s = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const base = { versionId: s.version.id, customerId: s.customer.id, connections: { erp: s.connection.id }, config: {} };
    expect((await failure(loadConfigOptions(s.scope, { ...base, field: "customerAccount" }, deps))).code).toBe("BAD_INPUT");
    expect((await failure(loadConfigOptions(s.scope, { ...base, field: "nope" }, deps))).code).toBe("BAD_INPUT");
    const unconnected = await failure(loadConfigOptions(s.scope, { ...base, connections: {}, field: "warehouse" }, deps));
    expect(unconnected).toMatchObject({ code: "BAD_INPUT", message: 'connect "erp" (erp) first: the choices of "warehouse" come from it' });
    const other = await db.customer.create({ data: { organizationId: s.org.id, externalId: "other" } });
    expect((await failure(loadConfigOptions(s.scope, { ...base, customerId: other.id, field: "warehouse" }, deps))).code).toBe("NOT_FOUND");
  });

  test("a loader failing at the remote is REMOTE_ERROR with the classified reason, and the key stays out of it", async ({ db, sandbox }) => {
    const s = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    await sandboxAdmin(sandbox.url).configure({ erp: { acceptedKeys: ["some-other-key"] } });
    const err = await failure(
      loadConfigOptions(s.scope, { versionId: s.version.id, customerId: s.customer.id, connections: { erp: s.connection.id }, field: "warehouse", config: {} }, deps),
    );
    expect(err.code).toBe("REMOTE_ERROR");
    expect(err.message).toBe("Acme ERP refused the connection's credentials. Reconnect the account, then try again.");
    expect(err.details).toMatchObject({ field: "warehouse", errorClass: "AUTH", status: 401, app: "erp" });
    expect(JSON.stringify(err.details)).not.toContain("erp-demo-key");
  });

  test("a loader that never ends is stopped at its time limit, a crashing one fails alone, and the next call works", async ({ db, sandbox }) => {
    const s = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    const call = (versionId: string) =>
      loadConfigOptions(s.scope, { versionId, customerId: s.customer.id, connections: {}, field: "warehouse", config: {} }, { ...deps, timeoutMs: 1_500 });

    const spinning = await publishWithLoader(s.scope, "() => { for (;;) {} }");
    const timedOut = await failure(call(spinning.id));
    expect(timedOut).toMatchObject({ code: "REMOTE_ERROR", details: { errorClass: "TIMEOUT" } });

    const exiting = await publishWithLoader(s.scope, "async () => { process.exit(3); return []; }");
    expect(await failure(call(exiting.id))).toMatchObject({ code: "REMOTE_ERROR", details: { errorClass: "BUG" } });

    const badShape = await publishWithLoader(s.scope, "async () => [{ code: 'MAIN' }]");
    const bad = await failure(call(badShape.id));
    expect(bad).toMatchObject({ code: "REMOTE_ERROR", details: { errorClass: "BUG" } });
    expect(String(bad.details?.technical)).toContain("must return at most 1000 { value: string | number, label: string }");

    const fine = await publishWithLoader(s.scope, "async (ctx) => [{ value: 'X', label: 'from ' + ctx.connections.erp.app }]");
    expect(await call(fine.id)).toEqual({ options: [{ value: "X", label: "from erp" }] });
  });

  test("the REST API answers the same, by integration key, version number and customer externalId", async ({ db, sandbox }) => {
    const s = await seedOrdersInstance(db, { sandboxUrl: sandbox.url });
    await publishWithLoader(s.scope, "async (ctx) => [{ value: 1, label: 'so far: ' + ctx.config.warehouse }]");
    const { key } = await createApiKey(s.scope, { name: "backend" });
    const post = (body: unknown) =>
      toRouteHandler(configOptionsEndpoint, () => ({ db }))(
        new Request("http://localhost/api/v1/config-options", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) }),
        { params: Promise.resolve({}) },
      );
    const ok = await post({ integration: "loader-faults", version: 1, customer: "northwind", field: "warehouse", config: { warehouse: "W", other: 1 } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ options: [{ value: 1, label: "so far: W" }] });
    const unknown = await post({ integration: "loader-faults", version: 1, customer: "nobody", field: "warehouse" });
    expect(unknown.status).toBe(404);
  });
});
