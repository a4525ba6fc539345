import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { demo, signIn } from "./demo";

// Issue 3, point 1: the config schema becomes a paged wizard; a field whose choices come from the
// connected account (orders-to-erp's warehouse, listed by the sandbox ERP's GET /warehouses) is
// filled after the connection is chosen. A builder deploys an instance for a customer through it,
// then edits the instance's config with the same wizard.

async function instanceOverApi(request: APIRequestContext, id: string) {
  const res = await request.get(`/api/v1/instances/${id}`, { headers: { authorization: `Bearer ${demo().apiKey}` } });
  expect(res.status()).toBe(200);
  return (await res.json()) as { id: string; name: string; config: Record<string, unknown>; customer: { externalId: string }; webhooks: { url: string }[] };
}

/** Clicks Next through config pages until the review, picking `warehouse` on the page that asks for it. */
async function fillWizard(page: Page, warehouse: string) {
  const wizard = page.getByTestId("config-wizard");
  for (let i = 0; i < 6; i++) {
    if (await wizard.getByTestId("wizard-review").isVisible()) return;
    const select = wizard.getByLabel(/^Warehouse/);
    if (await select.isVisible()) {
      // Options arrive from the ERP through the integration's own loader.
      await expect(select.locator(`option[value="${warehouse}"]`)).toHaveCount(1);
      await select.selectOption(warehouse);
    }
    await wizard.getByTestId("wizard-next").click();
  }
  await expect(wizard.getByTestId("wizard-review")).toBeVisible();
}

test("a builder deploys orders-to-erp for a customer through the config wizard, then edits its config", async ({ page, request }) => {
  const facts = demo();
  await request.post(`${facts.sandboxUrl}/_admin/reset`);
  const name = `Wizard orders ${Date.now()}`;

  await signIn(page, "BUILDER");
  await page.goto("/instances");
  await page.getByTestId("deploy-instance").click();
  await page.waitForURL(/\/instances\/new/);

  // Customer: Next without a choice says so; then Contoso.
  await page.getByTestId("step-next").click();
  await expect(page.getByTestId("field-error")).toHaveText(/choose a customer/i);
  await page.getByTestId("customer-choices").getByText("Contoso Ltd").click();
  await page.getByTestId("step-next").click();

  // Integration (newest published version), with a name; Enter goes on.
  await page.getByTestId("integration-choices").getByText("Shop orders to ERP").click();
  await page.getByLabel("Instance name (optional)").fill(name);
  await page.getByLabel("Instance name (optional)").press("Enter");

  // Connections: Contoso's only ERP connection is preselected.
  const erpChoices = page.getByTestId("connection-choices-erp");
  await expect(erpChoices.getByRole("radio").first()).toBeChecked();
  await page.getByTestId("step-next").click();

  // The config pages. A required field left empty stops Next with its message, focused.
  const wizard = page.getByTestId("config-wizard");
  await expect(wizard).toBeVisible();
  await expect(wizard.getByRole("heading", { name: "Booking" })).toBeVisible();
  await wizard.getByLabel(/^Customer account/).fill("WIZARD-ACCT");
  await wizard.getByTestId("wizard-next").click(); // Booking → Shipping

  // The warehouse choices come from Contoso's ERP account and follow the region: Vienna is AT's
  // only warehouse, and a Berlin chosen before switching to AT is cleared, not sent.
  const warehouse = wizard.getByLabel(/^Warehouse/);
  await expect(warehouse.locator('option[value="BER-1"]')).toHaveCount(1);
  await warehouse.selectOption("BER-1");
  await wizard.getByLabel(/^Region/).selectOption("AT");
  await expect(warehouse.locator('option[value="VIE-1"]')).toHaveCount(1);
  await expect(warehouse.locator('option[value="BER-1"]')).toHaveCount(0);
  await expect(warehouse).toHaveValue("");
  // Next with the cleared warehouse: stopped on this page, the field named and focused.
  await wizard.getByTestId("wizard-next").click();
  await expect(wizard.getByTestId("field-error")).toHaveText(/choose/i);
  await expect(warehouse).toBeFocused();
  await wizard.getByLabel(/^Region/).selectOption("DE");
  await fillWizard(page, "BER-1");

  await expect(wizard.getByTestId("review-warehouse")).toContainText(/BER-1|Berlin/);
  await wizard.getByTestId("wizard-next").click(); // "Deploy"

  const deployed = page.getByTestId("deployed");
  await expect(deployed).toBeVisible();
  await expect(deployed.getByTestId("deployed-webhook-url").first()).toContainText("/api/hooks/");
  const href = await deployed.getByTestId("open-instance").getAttribute("href");
  const id = href!.split("/").pop()!;

  const created = await instanceOverApi(request, id);
  expect(created.name).toBe(name);
  expect(created.customer.externalId).toBe("contoso");
  expect(created.config).toEqual({ customerAccount: "WIZARD-ACCT", region: "DE", warehouse: "BER-1" });

  // Edit: the same wizard, prefilled with the saved config; a new warehouse is saved.
  await page.goto(`/instances/${id}/configure`);
  const edit = page.getByTestId("config-wizard");
  await expect(edit).toBeVisible();
  await fillWizard(page, "HAM-2");
  await edit.getByTestId("wizard-next").click(); // "Save config"
  await expect(page.getByTestId("config-saved")).toBeVisible();

  const edited = await instanceOverApi(request, id);
  expect(edited.config).toEqual({ customerAccount: "WIZARD-ACCT", region: "DE", warehouse: "HAM-2" });
  expect(edited.webhooks.map((w) => w.url)).toEqual(created.webhooks.map((w) => w.url));
});
