import { describe, expect, it } from "vitest";
import { bodyForRecord, MASK, maskBodyFields, maskHeaders, maskJsonSecrets, maskUrl, scrubSecrets, secretVariants, truncateText } from "./redact";

describe("what support sees of an HTTP exchange", () => {
  it("masks credential headers, keeps the rest", () => {
    const h = maskHeaders(
      { Authorization: "Bearer abc", "X-Api-Key": "erp-demo-key", "X-Shop-Secret": "s", cookie: "a=b", "Idempotency-Key": "order-1", "content-type": "application/json" },
      ["x-custom-auth-header"],
    );
    expect(h).toEqual({
      authorization: MASK,
      "x-api-key": MASK,
      "x-shop-secret": MASK,
      cookie: MASK,
      "idempotency-key": "order-1",
      "content-type": "application/json",
    });
    expect(maskHeaders({ "X-Custom": "k" }, ["x-custom"])).toEqual({ "x-custom": MASK });
  });

  it("masks secrets in query strings and userinfo", () => {
    const url = maskUrl("https://user:pw@api.example.com/x?access_token=abc&page=2&api_key=k");
    expect(url).not.toContain("abc");
    expect(url).not.toContain("pw");
    expect(url).toContain("page=2");
  });

  it("scrubs the connection's secret values wherever they appear", () => {
    expect(scrubSecrets('{"echo":"erp-demo-key"}', ["erp-demo-key"])).toBe(`{"echo":"${MASK}"}`);
  });

  it("cuts bodies at 8 KiB and says so", () => {
    const out = truncateText("x".repeat(10_000));
    expect(out.startsWith("x".repeat(8192))).toBe(true);
    expect(out).toContain("truncated, 10000 bytes");
    expect(bodyForRecord(Buffer.from([1, 2, 3]), "application/octet-stream", [])).toBe("[3 bytes of application/octet-stream]");
    expect(bodyForRecord(Buffer.alloc(0), "application/json", [])).toBeNull();
  });

  it("masks credential-named fields of JSON and form bodies, not look-alikes", () => {
    expect(JSON.parse(maskJsonSecrets('{"access_token":"t1","refresh_token":"t2","author":"Ann","nested":{"client_secret":"s","n":1}}'))).toEqual({
      access_token: MASK,
      refresh_token: MASK,
      author: "Ann",
      nested: { client_secret: MASK, n: 1 },
    });
    expect(maskBodyFields("grant_type=refresh_token&refresh_token=abc&client_id=x", "application/x-www-form-urlencoded")).toBe(
      `grant_type=refresh_token&refresh_token=${encodeURIComponent(MASK)}&client_id=x`,
    );
  });

  it("scrubs a secret in its URL-encoded, JSON-escaped and base64 forms too", () => {
    const secret = 'p@ss/"word"+1';
    const forms = secretVariants([secret]);
    for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString("base64")])
      expect(scrubSecrets(`x ${form} y`, forms)).toBe(`x ${MASK} y`);
    expect(secretVariants(["short"])).toEqual([]);
  });

  it("scrubs secret values out of headers whatever their name", () => {
    expect(maskHeaders({ "x-echo": "key=abcdef123" }, [], secretVariants(["abcdef123"]))).toEqual({ "x-echo": `key=${MASK}` });
  });
});
