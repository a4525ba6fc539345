import { expect, test } from "@playwright/test";
import { demo, order, signIn } from "./demo";

// Foundation issue: a webhook becomes a run that a worker executes through the integration's
// steps against the sandbox ERP, and support sees it on the Runs page.

test.beforeEach(async ({ request }) => {
  await request.post(`${demo().sandboxUrl}/_admin/reset`);
});

test("a webhook delivery runs the flow and support sees it SUCCEEDED with its steps and duration", async ({ page, request }) => {
  const facts = demo();
  const orderId = `e2e-ok-${Date.now()}`;
  const res = await request.post(facts.webhookUrl, { data: order(orderId) });
  expect(res.status()).toBe(202);
  const { executionId } = await res.json();
  expect(executionId).toEqual(expect.any(String));

  await signIn(page, "SUPPORT");
  await expect(page.locator(`[data-testid="run-row"]`, { hasText: `SO-${orderId}` })).toBeVisible();

  await page.goto(`/runs/${executionId}`);
  await expect(page.getByTestId("run-status")).toHaveText(/SUCCEEDED/, { timeout: 60_000 });
  await expect(page.getByTestId("step-row")).toHaveCount(3);
  await expect(page.getByTestId("run-duration")).toHaveText(/\d+(\.\d+)?\s?(ms|s)/);

  const effects = await (await request.get(`${facts.sandboxUrl}/_admin/effects`)).json();
  expect(effects.byIdempotencyKey[`order-${orderId}`]).toBe(1);
});

test("when the ERP answers 500 the run ends FAILED with the error, and a replay after the fix succeeds once", async ({ page, request }) => {
  const facts = demo();
  await request.post(`${facts.sandboxUrl}/_admin/faults`, { data: { app: "erp", mode: "status", status: 500, times: -1 } });
  const orderId = `e2e-fail-${Date.now()}`;
  const res = await request.post(facts.webhookUrl, { data: order(orderId) });
  expect(res.status()).toBe(202);
  const { executionId } = await res.json();

  await signIn(page, "SUPPORT");
  await page.goto(`/runs/${executionId}`);
  // Retries with backoff first; the default policy gives up well within the timeout.
  await expect(page.getByTestId("run-status")).toHaveText(/FAILED/, { timeout: 90_000 });
  await expect(page.getByTestId("run-error")).toContainText(/REMOTE_UNAVAILABLE|500/);

  // Support fixes it: once the ERP is healthy again, a replay of the same payload succeeds.
  await request.delete(`${facts.sandboxUrl}/_admin/faults`);
  await page.getByTestId("run-replay").click();
  await page.waitForURL((url) => url.pathname.startsWith("/runs/") && !url.pathname.endsWith(executionId));
  await expect(page.getByTestId("run-status")).toHaveText(/SUCCEEDED/, { timeout: 60_000 });
  const effects = await (await request.get(`${facts.sandboxUrl}/_admin/effects`)).json();
  expect(effects.byIdempotencyKey[`order-${orderId}`]).toBe(1);
});
