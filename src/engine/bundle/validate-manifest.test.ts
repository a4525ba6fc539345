import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { buildBundle } from "./build-bundle";
import { manifestProblems, validateManifest } from "./validate-manifest";

// Bad manifests as builders write them: each rejection names the file and the field.

function integrationFile(body: string, prefix = ""): string {
  const dir = mkdtempSync(path.join(tmpdir(), "portico-validate-"));
  const file = path.join(dir, "index.ts");
  writeFileSync(file, `import { defineIntegration, z } from "portico/sdk";\n${prefix}\nexport default defineIntegration({ key: "x", name: "X", ${body} });\n`);
  return file;
}

async function rejection(file: string): Promise<AppError> {
  const err = await buildBundle(file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

const run = "run: async () => 1";

describe("validation when building a bundle", () => {
  it("an invalid cron names the file and the field", async () => {
    const file = integrationFile(`config: z.object({}), flows: { sync: { trigger: { schedule: { cron: "61 * * * *" } }, ${run} } }`);
    const err = await rejection(file);
    expect(err.code).toBe("BAD_INPUT");
    expect(err.message).toBe(
      `${file}: flows.sync.trigger.schedule.cron: "61 * * * *" is not a valid cron expression (Constraint error, got value 61 expected range 0-59)`,
    );
    expect(err.details).toMatchObject({ file, field: "flows.sync.trigger.schedule.cron" });
  });

  it("an unknown time zone is refused", async () => {
    const file = integrationFile(`config: z.object({}), flows: { sync: { trigger: { schedule: { cron: "0 * * * *", timezone: "Mars/Olympus" } }, ${run} } }`);
    expect((await rejection(file)).message).toBe(
      `${file}: flows.sync.trigger.schedule.timezone: "Mars/Olympus" is not an IANA time zone (e.g. "Europe/Berlin", "UTC")`,
    );
  });

  it("a time zone taken from config must be a config field whose values are time zones", async () => {
    const missing = integrationFile(`config: z.object({}), flows: { sync: { trigger: { schedule: { cron: "0 * * * *", timezoneFromConfig: "tz" } }, ${run} } }`);
    expect((await rejection(missing)).message).toBe(`${missing}: flows.sync.trigger.schedule.timezoneFromConfig: "tz" is not a config field`);
    const badEnum = integrationFile(
      `config: z.object({ tz: z.enum(["UTC", "Europe/Nowhere"]).default("UTC") }), flows: { sync: { trigger: { schedule: { cron: "0 * * * *", timezoneFromConfig: "tz" } }, ${run} } }`,
    );
    expect((await rejection(badEnum)).message).toBe(`${badEnum}: config.tz: "Europe/Nowhere" is not an IANA time zone`);
  });

  it("a flow key written twice is a duplicate, not silently the last one", async () => {
    const file = integrationFile(
      `config: z.object({}), flows: {\n  sync: { trigger: { manual: true }, ${run} },\n  sync: { trigger: { manual: true }, ${run} },\n}`,
    );
    const err = await rejection(file);
    expect(err.message).toBe(`${file}: flows.sync: duplicate flow key "sync" (first defined at line 4): the later one silently replaces the first`);
  });

  it("flow keys differing only in case, and keys that are not identifiers, are refused", async () => {
    const file = integrationFile(`config: z.object({}), flows: { sync: { trigger: { manual: true }, ${run} }, Sync: { trigger: { manual: true }, ${run} } }`);
    expect((await rejection(file)).message).toContain(`${file}: flows.Sync: duplicate flow key: "Sync" and "sync" differ only in case`);
    const bad = integrationFile(`config: z.object({}), flows: { "my flow": { trigger: { manual: true }, ${run} } }`);
    expect((await rejection(bad)).message).toContain(`${bad}: flows.my flow: key must be an identifier`);
  });

  it("a config field that cannot become a form is named", async () => {
    const file = integrationFile(`config: z.object({ name: z.string(), window: z.object({ since: z.date() }) }), flows: { f: { trigger: { manual: true }, ${run} } }`);
    const err = await rejection(file);
    expect(err.message).toMatch(new RegExp(`^${file.replaceAll("/", "\\/")}: config\\.window\\.since: cannot be turned into a form \\(JSON Schema\\): `));
    expect(err.details).toMatchObject({ field: "config.window.since" });
  });

  it("a bundle over 5 MiB is refused as too large", async () => {
    const file = integrationFile(`config: z.object({}), description: big.slice(0, 10), flows: { f: { trigger: { manual: true }, ${run} } }`, `const big = "${"x".repeat(5 * 1024 * 1024 + 10)}";`);
    const err = await rejection(file);
    expect(err.code).toBe("PAYLOAD_TOO_LARGE");
    expect(err.message).toMatch(new RegExp(`^.*index\\.ts: bundle: is \\d+ bytes, over the 5242880 byte limit \\(5 MiB\\)$`));
  });
});

describe("validateManifest (the server's check of an uploaded manifest)", () => {
  const good = {
    manifestVersion: 1,
    key: "x",
    name: "X",
    connections: { shop: { app: "acme-shop", auth: "oauth2" } },
    flows: { sync: { name: "Sync", trigger: { type: "schedule", cron: "*/15 * * * *" }, retry: { attempts: 3, maxDelayMs: 1000 } } },
    configSchema: { type: "object", properties: {} },
  };

  it("accepts a good manifest and checks connections against the organization's apps", () => {
    expect(validateManifest(good, { knownApps: ["acme-shop"] }).key).toBe("x");
    expect(() => validateManifest(good, { knownApps: ["erp"] })).toThrow(
      'manifest: connections.shop.app: unknown app "acme-shop" (apps in this organization: erp)',
    );
  });

  it("lists every problem in details and names the first in the message", () => {
    const bad = { ...good, flows: { sync: { ...good.flows.sync, trigger: { type: "schedule", cron: "" } } }, configSchema: { type: "string" } };
    expect(manifestProblems(bad).map((p) => p.field)).toEqual(["config", "flows.sync.trigger.schedule.cron"]);
    expect(() => validateManifest(bad)).toThrow(/^manifest: config: must be an object schema .* \(and 1 more problem: see details.problems\)$/);
  });
});

describe("the config form (wizard pages, field ids, options)", () => {
  const fields = `config: z.object({
    account: configField(z.string().default("A"), { id: "acct", page: "booking", title: "Account" }),
    region: z.enum(["DE", "AT"]).default("DE"),
    warehouse: configField(z.string(), { page: "shipping" }),
  })`;
  const pages = `configPages: [{ key: "booking", title: "Booking" }, { key: "shipping", title: "Shipping", description: "Where from" }]`;
  const flows = `connections: { erp: { app: "erp", auth: "apiKey" } }, flows: { f: { trigger: { manual: true }, ${run} } }`;
  const prefix = `import { configField } from "portico/sdk";`;

  it("is extracted from configField metadata, configPages and configOptions; the JSON Schema keeps the labels", async () => {
    const file = integrationFile(
      `${fields}, ${pages}, configOptions: { warehouse: { connection: "erp", dependsOn: ["region"], load: async () => [] } }, ${flows}`,
      prefix,
    );
    const { manifest } = await buildBundle(file);
    expect(manifest.configForm).toEqual({
      // A field without a page goes on the first one; pages list fields in schema order.
      pages: [
        { key: "booking", title: "Booking", fields: ["account", "region"] },
        { key: "shipping", title: "Shipping", description: "Where from", fields: ["warehouse"] },
      ],
      fields: {
        account: { id: "acct" },
        region: { id: "region" },
        warehouse: { id: "warehouse", options: { connection: "erp", dependsOn: ["region"] } },
      },
    });
    expect(manifest.configSchema).toMatchObject({ properties: { account: { title: "Account", default: "A" } } });
    expect(JSON.stringify(manifest.configSchema)).not.toContain("x-portico");
  });

  it("without pages, every field is on one Settings page", async () => {
    const { manifest } = await buildBundle(integrationFile(`config: z.object({ b: z.string(), a: z.number() }), ${flows}`));
    expect(manifest.configForm).toEqual({ pages: [{ key: "settings", title: "Settings", fields: ["b", "a"] }], fields: { b: { id: "b" }, a: { id: "a" } } });
  });

  it("a page no page list declares, and an options connection not declared, are named", async () => {
    const unknownPage = integrationFile(`${fields}, configPages: [{ key: "booking", title: "Booking" }], ${flows}`, prefix);
    expect((await rejection(unknownPage)).message).toBe(`${unknownPage}: config.warehouse.page: "shipping" is not a page in configPages (pages: "booking")`);
    const badConnection = integrationFile(`${fields}, ${pages}, configOptions: { warehouse: { connection: "crm", load: async () => [] } }, ${flows}`, prefix);
    expect((await rejection(badConnection)).message).toBe(`${badConnection}: configOptions.warehouse.connection: "crm" is not a declared connection (connections: erp)`);
  });

  it("duplicate ids are refused: two fields cannot claim the same identity", async () => {
    const file = integrationFile(`config: z.object({ a: configField(z.string(), { id: "same" }), b: configField(z.string(), { id: "same" }) }), ${flows}`, prefix);
    expect((await rejection(file)).message).toBe(`${file}: config.b.id: duplicate field id "same" (also the id of "a")`);
  });

  it("dependsOn must name another config field", async () => {
    const self = integrationFile(`${fields}, ${pages}, configOptions: { warehouse: { connection: "erp", dependsOn: ["warehouse"], load: async () => [] } }, ${flows}`, prefix);
    expect((await rejection(self)).message).toBe(`${self}: configOptions.warehouse.dependsOn: a field cannot depend on itself ("warehouse")`);
  });

  describe("in an uploaded manifest", () => {
    const good = {
      manifestVersion: 1,
      key: "x",
      name: "X",
      connections: { erp: { app: "erp", auth: "apiKey" } },
      flows: { f: { name: "F", trigger: { type: "manual" }, retry: { attempts: 3, maxDelayMs: 1000 } } },
      configSchema: { type: "object", properties: { a: { type: "string" }, b: { type: "string" } } },
      configForm: {
        pages: [{ key: "p", title: "P", fields: ["a", "b"] }],
        fields: { a: { id: "a" }, b: { id: "b", options: { connection: "erp", dependsOn: ["a"] } } },
      },
    };

    it("a valid form passes", () => {
      expect(manifestProblems(good)).toEqual([]);
    });

    it("a page naming an unknown field, a field on two pages or on none, and an unknown dependsOn are each named", () => {
      const bad = {
        ...good,
        configForm: {
          pages: [
            { key: "p", title: "P", fields: ["a", "ghost"] },
            { key: "q", title: "Q", fields: ["a"] },
          ],
          fields: { a: { id: "a" }, b: { id: "b", options: { connection: "erp", dependsOn: ["nope"] } } },
        },
      };
      expect(manifestProblems(bad)).toEqual([
        { field: "configForm.pages.p.fields", reason: '"ghost" is not a config field' },
        { field: "config.a", reason: 'is on two pages: "p" and "q"' },
        { field: "config.b", reason: "is on no page of the config form" },
        { field: "configOptions.b.dependsOn", reason: '"nope" is not a config field' },
      ]);
    });
  });
});
