import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { demo, order, signIn } from "./demo";

// Issue 3, "Done means": a builder publishes a new version of an example integration with the
// CLI, upgrades one instance, and that instance's next run executes the new code while an
// instance that was not upgraded keeps running the old one. Then the upgrade is rolled back.

const run = promisify(execFile);
const KEY = "orders-to-erp";

/** orders-to-erp with a different Idempotency-Key prefix: the ERP's effects show which code ran. */
function writeNewVersion(tag: string): string {
  const source = readFileSync(path.resolve("integrations/orders-to-erp/index.ts"), "utf8");
  const changed = source.replace("`order-${order.id}`", `\`order-${tag}-\${order.id}\``);
  expect(changed).not.toBe(source);
  const dir = mkdtempSync(path.join(tmpdir(), "portico-e2e-publish-"));
  writeFileSync(path.join(dir, "index.ts"), changed);
  return dir;
}

function api(request: APIRequestContext) {
  const headers = { authorization: `Bearer ${demo().apiKey}` };
  return {
    get: (url: string) => request.get(url, { headers }),
    post: (url: string, data?: unknown) => request.post(url, { headers, ...(data !== undefined && { data }) }),
  };
}

async function instanceVersion(request: APIRequestContext, id: string): Promise<number> {
  const res = await api(request).get(`/api/v1/instances/${id}`);
  expect(res.status()).toBe(200);
  return (await res.json()).version.number;
}

async function finishedRun(request: APIRequestContext, executionId: string) {
  let body: { status: string; version: { number: number } } | undefined;
  await expect
    .poll(
      async () => {
        body = await (await api(request).get(`/api/v1/executions/${executionId}`)).json();
        return body?.status;
      },
      { timeout: 45_000 },
    )
    .toMatch(/SUCCEEDED|FAILED|CANCELLED/);
  return body!;
}

test("a version published with the CLI runs for the upgraded instance only, and rolls back", async ({ page, request, baseURL }) => {
  const facts = demo();
  await request.post(`${facts.sandboxUrl}/_admin/reset`);
  const before = await instanceVersion(request, facts.instanceId);
  const untouched = await instanceVersion(request, facts.secondInstanceId);

  // Publish: a unique tag per run, so the code (and its sha256) is new every time.
  const tag = `e2e${Date.now().toString(36)}`;
  const dir = writeNewVersion(tag);
  const published = await run(process.execPath, ["bin/portico.mjs", "publish", dir, "--changelog", `e2e ${tag}`], {
    env: { ...process.env, PORTICO_URL: baseURL!, PORTICO_API_KEY: facts.apiKey },
  });
  const number = Number(/published orders-to-erp version (\d+)/.exec(published.stdout)?.[1]);
  expect(number).toBeGreaterThan(before);
  const versions = (await (await api(request).get(`/api/v1/integrations/${KEY}/versions`)).json()).items;
  expect(versions[0]).toMatchObject({ number, changelog: `e2e ${tag}` });

  // Upgrade one instance; its webhook URL is unchanged.
  const upgraded = await api(request).post(`/api/v1/instances/${facts.instanceId}/upgrade`, { version: number });
  expect(upgraded.status()).toBe(200);
  const body = await upgraded.json();
  expect(body.version.number).toBe(number);
  expect(body.webhooks.find((w: { flowKey: string }) => w.flowKey === "onOrder").url).toBe(facts.webhookUrl);

  try {
    // The upgraded instance's next run is the new code; the other instance keeps the old one.
    const a = await request.post(facts.webhookUrl, { data: order(`${tag}-a`) });
    const b = await request.post(facts.secondWebhookUrl, { data: order(`${tag}-b`) });
    expect([a.status(), b.status()]).toEqual([202, 202]);
    const runA = await finishedRun(request, (await a.json()).executionId);
    const runB = await finishedRun(request, (await b.json()).executionId);
    expect(runA).toMatchObject({ status: "SUCCEEDED", version: { number } });
    expect(runB).toMatchObject({ status: "SUCCEEDED", version: { number: untouched } });
    const effects = await (await request.get(`${facts.sandboxUrl}/_admin/effects`)).json();
    expect(effects.byIdempotencyKey[`order-${tag}-${tag}-a`]).toBe(1);
    expect(effects.byIdempotencyKey[`order-${tag}-b`]).toBe(1);

    // The builder sees both versions and where each instance runs.
    await signIn(page, "BUILDER");
    await page.goto(`/integrations/${KEY}`);
    const card = page.getByTestId("version-card").filter({ has: page.getByRole("heading", { name: `Version ${number}` }) });
    await expect(card.getByTestId("version-instance")).toHaveCount(1);
    await expect(card).toContainText(`e2e ${tag}`);
  } finally {
    // Rollback is the same operation towards the older version.
    const back = await api(request).post(`/api/v1/instances/${facts.instanceId}/upgrade`, { version: before });
    expect(back.status()).toBe(200);
    expect((await back.json()).version.number).toBe(before);
  }
});

test("pausing an instance holds its runs and resuming runs them", async ({ request }) => {
  const facts = demo();
  const paused = await api(request).post(`/api/v1/instances/${facts.secondInstanceId}/pause`, { reason: "e2e" });
  expect(paused.status()).toBe(200);
  expect(await paused.json()).toMatchObject({ status: "PAUSED", statusReason: "e2e" });
  try {
    const res = await request.post(facts.secondWebhookUrl, { data: order(`held-${Date.now()}`) });
    expect(res.status()).toBe(202);
    const { executionId } = await res.json();
    // Held, not failed: still QUEUED while the instance is paused.
    const held = await (await api(request).get(`/api/v1/executions/${executionId}`)).json();
    expect(held.status).toBe("QUEUED");
    const resumed = await api(request).post(`/api/v1/instances/${facts.secondInstanceId}/resume`);
    expect((await resumed.json()).status).toBe("ACTIVE");
    expect((await finishedRun(request, executionId)).status).toBe("SUCCEEDED");
  } finally {
    await api(request).post(`/api/v1/instances/${facts.secondInstanceId}/resume`);
  }
});
