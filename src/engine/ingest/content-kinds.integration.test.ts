import { createHash, randomBytes } from "node:crypto";
import { describe, expect } from "vitest";
import { dbTest } from "@/test/db-test";
import { startSandbox, type RunningSandbox } from "../../../sandbox/server";
import type { RunningExecutor } from "../executor/start-executor";
import { seedRemoteFaultsInstance, type RemoteFaultsSeed } from "../reliability/remote-faults-instance";
import { postWebhook, startTestExecutor, startTestFront, waitForTerminal, type TestFront } from "../testing/walking-skeleton";

// Reliability plan I2 (content kinds): whatever a sender posts — broken JSON, XML, a form,
// binary, invalid UTF-8 — is stored byte for byte (sha256 of the stored payload = sha256 of what
// was sent), nothing crashes, and the flow sees what ctx.trigger.payload promises: parsed JSON,
// an object for forms, the UTF-8 text otherwise, and INVALID_DATA for JSON that does not parse.

const test = dbTest.extend<{ sandbox: RunningSandbox; front: TestFront; executor: RunningExecutor; seeded: RemoteFaultsSeed }>({
  // eslint-disable-next-line no-empty-pattern
  sandbox: async ({}, use) => {
    const sandbox = await startSandbox({ port: 0 });
    await use(sandbox);
    await sandbox.close();
  },
  front: async ({ db, redisUrl, redisPrefix }, use) => {
    const front = await startTestFront({ db, redisUrl, redisPrefix });
    await use(front);
    await front.close();
  },
  executor: async ({ db, redis, redisPrefix }, use) => {
    const executor = startTestExecutor({ db, redis, redisPrefix });
    await use(executor);
    await executor.close();
  },
  seeded: async ({ db, sandbox }, use) => use(await seedRemoteFaultsInstance(db, { sandboxUrl: sandbox.url })),
});

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Every byte value once, then random bytes: NULs, lone continuation bytes, 0xFF. */
const binary = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(768)]);
const invalidUtf8 = Buffer.from([0x68, 0x69, 0x20, 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x20, 0xed, 0xa0, 0x80, 0x21]);

const kinds: { name: string; contentType: string; body: Buffer; sees: unknown }[] = [
  { name: "invalid JSON", contentType: "application/json", body: Buffer.from('{"order": 1, "lines": [1, 2'), sees: "INVALID_DATA" },
  {
    name: "XML",
    contentType: "application/xml; charset=utf-8",
    body: Buffer.from('<?xml version="1.0"?>\n<order id="7"><customer>Müller &amp; Söhne</customer></order>'),
    sees: '<?xml version="1.0"?>\n<order id="7"><customer>Müller &amp; Söhne</customer></order>',
  },
  {
    name: "form",
    contentType: "application/x-www-form-urlencoded",
    body: Buffer.from("order=7&customer=M%C3%BCller+%26+S%C3%B6hne&tag=a&tag=b"),
    // Repeated fields: the last one wins (Object.fromEntries over URLSearchParams).
    sees: { order: "7", customer: "Müller & Söhne", tag: "b" },
  },
  { name: "binary", contentType: "application/octet-stream", body: binary, sees: binary.toString("utf8") },
  { name: "invalid UTF-8", contentType: "text/plain; charset=utf-8", body: invalidUtf8, sees: invalidUtf8.toString("utf8") },
];

describe("webhook bodies of every kind (I2)", () => {
  test("each body is stored byte-identical, nothing crashes, and the flow sees what ctx.trigger.payload promises", async ({ db, front, executor, seeded }) => {
    void executor;
    const sent = [];
    for (const kind of kinds) {
      const res = await postWebhook(front.url, seeded.tokens.probe!, new Uint8Array(kind.body), { "content-type": kind.contentType });
      expect(res.status, kind.name).toBe(202);
      sent.push({ ...kind, executionId: res.body.executionId! });
    }

    for (const s of sent) {
      const stored = await db.execution.findUniqueOrThrow({ where: { id: s.executionId } });
      expect(stored.contentType, s.name).toBe(s.contentType);
      expect(sha256(stored.payload!), s.name).toBe(sha256(s.body));
      expect(stored.payload!.length, s.name).toBe(s.body.length);

      const run = await waitForTerminal(db, s.executionId);
      if (s.sees === "INVALID_DATA") {
        expect(run, s.name).toMatchObject({ status: "FAILED", errorClass: "INVALID_DATA", attempt: 1 });
        expect(run.errorMessage).toContain("not valid JSON");
        expect(run.customerMessage).toBeTruthy();
        continue;
      }
      expect(run, `${s.name}: ${run.errorMessage}`).toMatchObject({ status: "SUCCEEDED", attempt: 1, errorClass: null });
      const result = run.result as { contentType: string; kind: string; length: number | null; nuls: number; payload: unknown };
      expect(result.contentType, s.name).toBe(s.contentType);
      if (typeof s.sees === "string") {
        // The flow saw the UTF-8 text of the bytes, NULs included; the stored result has each
        // NUL as U+FFFD (PostgreSQL's jsonb cannot hold U+0000).
        expect(result, s.name).toMatchObject({ kind: "string", length: s.sees.length, nuls: s.sees.split("\u0000").length - 1 });
        expect(result.payload, s.name).toBe(s.sees.replaceAll("\u0000", "\uFFFD"));
      } else expect(result.payload, s.name).toEqual(s.sees);
    }

    // The front is still up and takes an ordinary JSON webhook.
    const after = await postWebhook(front.url, seeded.tokens.probe!, { ok: true });
    expect(after.status).toBe(202);
    expect((await waitForTerminal(db, after.body.executionId!)).result).toMatchObject({ kind: "object", payload: { ok: true } });
  });
});
