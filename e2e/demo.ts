import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";

export interface DemoFacts {
  organizationId: string;
  apiKey: string;
  customerExternalId: string;
  instanceId: string;
  webhookUrl: string;
  secondInstanceId: string;
  secondWebhookUrl: string;
  sandboxUrl: string;
  password: string;
  users: Array<{ email: string; role: string }>;
}

/** What the seed of the e2e stack wrote (the stack is up once Playwright's webServer is healthy). */
export function demo(): DemoFacts {
  return JSON.parse(readFileSync(path.resolve(".portico/e2e/demo.json"), "utf8"));
}

export async function signIn(page: Page, role: "OWNER" | "BUILDER" | "SUPPORT") {
  const facts = demo();
  const user = facts.users.find((u) => u.role === role)!;
  await page.goto("/signin");
  await page.getByLabel(/email/i).fill(user.email);
  await page.getByLabel(/password/i).fill(facts.password);
  await page.getByRole("button", { name: /sign in/i }).click();
  await page.waitForURL(/\/runs/);
}

export function order(id: string) {
  return { id, number: `SO-${id}`, currency: "EUR", lines: [{ sku: "A-1", qty: 2, price: 9.5 }] };
}
