import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildFormModel, humanize, initialValues } from "./form-model";
import { displayValue, firstInvalidPage, toConfig, validateField, validatePage } from "./form-values";
import { dependentsOf, missingDependencies, optionsRequestKey, pruneUnoffered } from "./dynamic-options";
import { mapServerError } from "./server-errors";

// The schema a builder writes, turned into JSON Schema exactly as publishing does.
const config = z.object({
  region: z.enum(["eu", "us"]).default("eu").describe("Where your ERP account lives"),
  warehouse: z.string().min(1).describe("Warehouse the orders ship from"),
  customerAccount: z.string().min(1).default("WEBSHOP"),
  batchSize: z.number().int().min(1).max(500).default(50).meta({ title: "Orders per batch" }),
  notify: z.boolean().default(false),
  channels: z.array(z.enum(["email", "slack"])).default([]),
  replyTo: z.email().optional(),
  threshold: z.number().nullable(),
});
const schema = z.toJSONSchema(config, { io: "input" });
const form = {
  pages: [
    { key: "account", title: "ERP account", description: "Which account and warehouse", fields: ["region", "warehouse", "customerAccount"] },
    { key: "behaviour", title: "Behaviour", fields: ["batchSize", "notify", "channels"] },
  ],
  fields: {
    warehouse: { id: "f_wh", options: { connection: "erp", dependsOn: ["region"] } },
    region: { id: "f_region" },
  },
};

describe("form model from the config schema", () => {
  it("takes labels from title or the humanized key, help from description, kinds from types and enums", () => {
    const m = buildFormModel(schema, form);
    expect(m.fields.region).toMatchObject({ label: "Region", kind: "select", description: "Where your ERP account lives", default: "eu", required: false, id: "f_region" });
    expect(m.fields.region!.choices!.map((c) => c.value)).toEqual(["eu", "us"]);
    expect(m.fields.warehouse).toMatchObject({ kind: "select", required: true, options: { connection: "erp", dependsOn: ["region"] }, id: "f_wh" });
    expect(m.fields.customerAccount).toMatchObject({ label: "Customer account", kind: "text", minLength: 1, id: "customerAccount" });
    expect(m.fields.batchSize).toMatchObject({ label: "Orders per batch", kind: "integer", minimum: 1, maximum: 500 });
    expect(m.fields.notify).toMatchObject({ kind: "boolean", default: false });
    expect(m.fields.channels!.kind).toBe("multiselect");
    expect(m.fields.replyTo).toMatchObject({ kind: "text", format: "email", required: false });
    expect(m.fields.threshold).toMatchObject({ kind: "number", nullable: true, required: true });
  });

  it("groups fields into the manifest's pages and puts fields no page lists on the last one", () => {
    const m = buildFormModel(schema, form);
    expect(m.pages.map((p) => [p.title, p.fields])).toEqual([
      ["ERP account", ["region", "warehouse", "customerAccount"]],
      ["Behaviour", ["batchSize", "notify", "channels", "replyTo", "threshold"]],
    ]);
  });

  it("a version without configForm is one page with every field in schema order", () => {
    const m = buildFormModel(schema);
    expect(m.pages).toHaveLength(1);
    expect(m.pages[0]!.fields).toEqual(Object.keys(config.shape));
    expect(m.fields.warehouse!.kind).toBe("text"); // no options declared: typed in
  });

  it("prefills defaults for a new instance and the saved config when editing", () => {
    const m = buildFormModel(schema, form);
    expect(initialValues(m)).toMatchObject({ region: "eu", warehouse: "", customerAccount: "WEBSHOP", batchSize: "50", notify: false, channels: [] });
    expect(initialValues(m, { warehouse: "BER-1", batchSize: 5, notify: true, channels: ["slack"] })).toMatchObject({
      warehouse: "BER-1",
      batchSize: "5",
      notify: true,
      channels: ["slack"],
      customerAccount: "WEBSHOP",
    });
  });

  it("humanizes camelCase and snake_case keys", () => {
    expect(humanize("customerAccount")).toBe("Customer account");
    expect(humanize("api_base_url")).toBe("Api base url");
    expect(humanize("syncERPOrders")).toBe("Sync ERP orders");
  });
});

describe("page validation", () => {
  const m = buildFormModel(schema, form);

  it("names every field of the page that is wrong, and only that page's", () => {
    const values = { ...initialValues(m), warehouse: "", batchSize: "0", customerAccount: "" };
    expect(validatePage(m, 0, values)).toEqual({ warehouse: "Choose one." });
    // threshold is required but nullable: blank is null, not an error.
    expect(validatePage(m, 1, values)).toEqual({ batchSize: "At least 1." });
  });

  it("checks numbers, integers, lengths, emails and dynamic options that were loaded", () => {
    expect(validateField(m.fields.batchSize!, "2.5")).toBe("Enter a whole number.");
    expect(validateField(m.fields.batchSize!, "abc")).toBe("Enter a number.");
    expect(validateField(m.fields.batchSize!, "501")).toBe("At most 500.");
    expect(validateField(m.fields.replyTo!, "nope")).toBe("Enter an email address.");
    expect(validateField(m.fields.replyTo!, "")).toBeNull();
    expect(validateField(m.fields.warehouse!, "GONE", { warehouse: [{ value: "BER-1", label: "Berlin" }] })).toBe("Choose one of the options.");
    expect(validateField(m.fields.warehouse!, "BER-1", { warehouse: [{ value: "BER-1", label: "Berlin" }] })).toBeNull();
  });

  it("reports the first page that does not pass", () => {
    const values = { ...initialValues(m), warehouse: "BER-1", batchSize: "x" };
    expect(firstInvalidPage(m, values)).toEqual({ page: 1, errors: { batchSize: "Enter a number." } });
  });

  it("sends typed values and leaves blank optional fields to their defaults", () => {
    const values = { ...initialValues(m), warehouse: "7", customerAccount: "", batchSize: "20", threshold: "" };
    expect(toConfig(m, values, { warehouse: [{ value: 7, label: "Seven" }] })).toEqual({
      region: "eu",
      warehouse: 7,
      batchSize: 20,
      notify: false,
      channels: [],
      threshold: null,
    });
    expect(displayValue(m.fields.warehouse!, "7", { warehouse: [{ value: 7, label: "Seven" }] })).toBe("Seven");
  });
});

describe("dynamic options", () => {
  const m = buildFormModel(schema, form);
  const wh = m.fields.warehouse!;

  it("wait for the connection, then for the required fields they depend on; a blank optional one is sent as is", () => {
    expect(optionsRequestKey(wh, { region: "eu" }, {})).toBeNull();
    const strict = { ...m, fields: { ...m.fields, region: { ...m.fields.region!, required: true } } };
    expect(missingDependencies(strict, wh, { region: "" })).toEqual(["Region"]);
    expect(missingDependencies(strict, wh, { region: "eu" })).toEqual([]);
    expect(missingDependencies(m, wh, { region: "" })).toEqual([]);
  });

  it("get a new request key when a field in dependsOn or the connection changes, not for other fields", () => {
    const a = optionsRequestKey(wh, { region: "eu", batchSize: "1" }, { erp: "c1" });
    expect(optionsRequestKey(wh, { region: "eu", batchSize: "2" }, { erp: "c1" })).toBe(a);
    expect(optionsRequestKey(wh, { region: "us", batchSize: "1" }, { erp: "c1" })).not.toBe(a);
    expect(optionsRequestKey(wh, { region: "eu", batchSize: "1" }, { erp: "c2" })).not.toBe(a);
    expect(dependentsOf(m, "region")).toEqual(["warehouse"]);
    expect(dependentsOf(m, "batchSize")).toEqual([]);
  });

  it("a blank one whose default the account does not offer must be chosen", () => {
    const withDefault = { ...wh, required: false, default: "MAIN" };
    expect(validateField(withDefault, "", { warehouse: [{ value: "VIE-1", label: "Vienna" }] })).toBe("Choose one.");
    expect(validateField(withDefault, "", { warehouse: [{ value: "MAIN", label: "Main" }] })).toBeNull();
  });

  it("clear a chosen value the new list no longer offers, keep one it does", () => {
    const offered = [{ value: "US-1", label: "Newark" }];
    expect(pruneUnoffered(wh, "BER-1", offered)).toBe("");
    expect(pruneUnoffered(wh, "US-1", offered)).toBe("US-1");
    expect(pruneUnoffered({ ...wh, kind: "multiselect" }, ["US-1", "BER-1"], offered)).toEqual(["US-1"]);
  });
});

describe("server errors", () => {
  const m = buildFormModel(schema, form);

  it("land on the field the issue names, from the service's details or the input parser's issues", () => {
    expect(mapServerError(m, { message: "config does not match", details: { issues: [{ path: "warehouse", message: "unknown warehouse" }] } })).toEqual({
      fieldErrors: { warehouse: "unknown warehouse" },
      formError: null,
    });
    expect(mapServerError(m, { message: "bad", issues: [{ path: ["config", "batchSize"], message: "too big" }] }).fieldErrors).toEqual({ batchSize: "too big" });
  });

  it("stay a form message when they name no field", () => {
    expect(mapServerError(m, { message: 'connection "erp" (erp) is required', details: { field: "connections.erp" } })).toEqual({
      fieldErrors: {},
      formError: 'connection "erp" (erp) is required',
    });
    expect(mapServerError(m, { message: "version 2 is paused" })).toEqual({ fieldErrors: {}, formError: "version 2 is paused" });
  });
});
