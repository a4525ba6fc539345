import { describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { seedLab } from "../events/testing/seed-lab";
import { startTestFront, type TestFront } from "../testing/walking-skeleton";
import { signPayload } from "./verify-signature";

const test = dbTest.extend<{ front: TestFront }>({
  front: async ({ db, redisUrl, redisPrefix }, use) => {
    const front = await startTestFront({ db, redisUrl, redisPrefix });
    await use(front);
    await front.close();
  },
});

async function post(front: TestFront, token: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${front.url}/api/hooks/${token}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: res.status, body: (await res.json()) as { executionId?: string; error?: { code: string } } };
}

describe("webhook signatures and per-flow limits", () => {
  test("only a delivery signed with the instance's secret over these bytes, within the tolerance, is accepted (401 otherwise); over the flow's limit is 413", async ({ db, front }) => {
    const lab = await seedLab(db);
    const { instance } = await lab.deployFor("acme");
    const hook = instance.webhooks.find((w) => w.flowKey === "signed") as { token: string; signingSecret?: string };
    const secret = hook.signingSecret!;
    expect(secret).toMatch(/^whsec_/);
    const stored = await db.webhookEndpoint.findFirstOrThrow({ where: { instanceId: instance.id, flowKey: "signed" } });
    expect(stored.signingSecret).not.toContain(secret.slice(6)); // encrypted at rest

    const body = JSON.stringify({ id: 1, total: 10 });
    const now = String(Math.floor(Date.now() / 1000));
    const signed = (b: string, ts = now, s = secret) => ({ "x-timestamp": ts, "x-signature": `v1=${signPayload(s, Buffer.from(b), ts)}` });

    const ok = await post(front, hook.token, body, signed(body));
    expect(ok.status).toBe(202);
    // Rotation style: several signatures, one of them valid.
    expect((await post(front, hook.token, body, { "x-timestamp": now, "x-signature": `v1=${"0".repeat(64)} ${signed(body)["x-signature"]}` })).status).toBe(202);

    const tampered = body.replace("10", "11");
    const refused = [
      await post(front, hook.token, tampered, signed(body)), // one body byte changed
      await post(front, hook.token, body, { "x-timestamp": now, "x-signature": "v1=abcd" }), // wrong length
      // Outside the 300 s tolerance (with a margin: the machine may be slow between signing and sending).
      await post(front, hook.token, body, signed(body, String(Math.floor(Date.now() / 1000) - 330))), // too old
      await post(front, hook.token, body, signed(body, String(Math.floor(Date.now() / 1000) + 330))), // too far ahead
      await post(front, hook.token, body, { "x-signature": signed(body)["x-signature"] }), // no timestamp
      await post(front, hook.token, body, {}), // unsigned
      await post(front, hook.token, body, signed(body, now, "whsec_not-the-secret")),
    ];
    expect(refused.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401, 401]);
    expect(refused[0]!.body.error?.code).toBe("UNAUTHENTICATED");

    const big = JSON.stringify({ pad: "x".repeat(3_000) });
    expect((await post(front, hook.token, big, signed(big))).status).toBe(413);
    expect(await db.execution.count({ where: { instanceId: instance.id } })).toBe(2);
  });
});
