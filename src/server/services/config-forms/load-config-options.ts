import { z } from "zod";
import { configFormOf } from "@/engine/bundle/manifest";
import { connectionSecretContext } from "@/engine/connection-secret";
import { classifyError } from "@/engine/executor/classify";
import { secretsOf, type ConnectionRuntime, type Credentials } from "@/engine/http/http-client";
import { scrubSecrets } from "@/engine/http/redact";
import { decryptJson } from "@/lib/crypto";
import { AppError, notFound } from "@/lib/errors";
import { createLogger, type Logger } from "@/lib/logger";
import type { AuthKind } from "@/sdk";
import { getOwnedCustomer, inOrg } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";
import { parseStoredManifest } from "./get-config-form";
import { OPTIONS_TIMEOUT_MS, runOptionsLoader, type OptionsRunRequest } from "./options-runner";

export interface ConfigOptionsInput {
  versionId: string;
  customerId: string;
  /** Connection key → id of that customer's Connection; the field's own connection is required. */
  connections: Record<string, string>;
  field: string;
  /** The values entered so far (partial). */
  config: Record<string, unknown>;
}

export interface ConfigOptionsResult {
  options: { value: string | number; label: string }[];
}

export interface ConfigOptionsDeps {
  outbound?: OptionsRunRequest["outbound"];
  timeoutMs?: number;
  logger?: Logger;
}

const MAX_OPTIONS = 1000;
const Options = z.array(z.object({ value: z.union([z.string(), z.number()]), label: z.string() })).max(MAX_OPTIONS);
const AUTH_KIND = { OAUTH2: "oauth2", API_KEY: "apiKey", BASIC: "basic", NONE: "none" } as const;
const log = createLogger("config-options");

/** What the wizard shows when a loader fails: the app's name and what to do. */
function wizardMessage(field: string, c: ReturnType<typeof classifyError>, appName: string): string {
  switch (c.errorClass) {
    case "AUTH":
      return `${appName} refused the connection's credentials. Reconnect the account, then try again.`;
    case "RATE_LIMITED":
      return `${appName} asked us to slow down. Try again in a moment.`;
    case "REMOTE_UNAVAILABLE":
      return `${appName} was not reachable or answered with an error. Try again later.`;
    case "TIMEOUT":
      return `Loading the choices for "${field}" took too long and was stopped. Try again later.`;
    case "INVALID_DATA":
    case "CONFIG":
      return c.builderWords ? c.message.replace(/^[A-Za-z]*Error: /, "") : `${appName} refused the request for the choices of "${field}".`;
    default:
      return `The choices for "${field}" could not be loaded: the integration failed. Its builders have the details.`;
  }
}

/**
 * Runs a config field's options loader against the customer's connected account (through the
 * connections the wizard has bound so far) and returns its choices. Loader failures are
 * REMOTE_ERROR with a message for the wizard and details { errorClass, technical }.
 */
export async function loadConfigOptions(scope: OrgScope, input: ConfigOptionsInput, deps: ConfigOptionsDeps = {}): Promise<ConfigOptionsResult> {
  const version = await scope.db.integrationVersion.findFirst({
    where: { id: input.versionId, ...inOrg(scope) },
    select: { id: true, sha256: true, manifest: true },
  });
  if (!version) throw notFound("version");
  const customer = await getOwnedCustomer(scope, input.customerId);
  const manifest = parseStoredManifest(version.manifest);
  const form = configFormOf(manifest);
  const field = form.fields[input.field];
  if (!field) throw new AppError("BAD_INPUT", `"${input.field}" is not a config field of this version`, { field: input.field });
  if (!field.options) throw new AppError("BAD_INPUT", `config field "${input.field}" has no options to load`, { field: input.field });

  // The bindings given so far; each must be this customer's connection to the declared app.
  const rows = [];
  for (const [key, connectionId] of Object.entries(input.connections)) {
    const decl = manifest.connections[key];
    if (!decl) throw new AppError("BAD_INPUT", `the integration has no connection "${key}"`, { field: `connections.${key}` });
    const row = await scope.db.connection.findFirst({
      where: { id: connectionId, customerId: customer.id, ...inOrg(scope) },
      select: { id: true, appKey: true, authType: true, secret: true, status: true },
    });
    if (!row) throw new AppError("NOT_FOUND", `connection for "${key}" not found`, { field: `connections.${key}` });
    if (row.appKey !== decl.app)
      throw new AppError("BAD_INPUT", `connection for "${key}" is for app "${row.appKey}", not "${decl.app}"`, { field: `connections.${key}` });
    rows.push({ key, row });
  }
  const needed = field.options.connection;
  const neededDecl = manifest.connections[needed];
  if (neededDecl && neededDecl.auth !== "none" && !(needed in input.connections))
    throw new AppError("BAD_INPUT", `connect "${needed}" (${neededDecl.app}) first: the choices of "${input.field}" come from it`, { field: `connections.${needed}` });

  const appKeys = [...new Set(Object.values(manifest.connections).map((c) => c.app))];
  const apps = await scope.db.app.findMany({
    where: { key: { in: appKeys }, ...inOrg(scope) },
    select: { key: true, name: true, baseUrl: true, apiKeyHeader: true },
  });
  const appName = apps.find((a) => a.key === neededDecl?.app)?.name ?? neededDecl?.app ?? "The connected app";

  const handles: OptionsRunRequest["handles"] = {};
  for (const [key, d] of Object.entries(manifest.connections)) handles[key] = { key, app: d.app, auth: d.auth as AuthKind };
  const runtimes: Record<string, ConnectionRuntime> = {};
  const secrets: string[] = [];
  const fail = (err: unknown): never => {
    const c = classifyError(err);
    const technical = scrubSecrets(c.message, secrets);
    throw new AppError("REMOTE_ERROR", wizardMessage(input.field, { ...c, message: technical }, appName), {
      field: input.field,
      errorClass: c.errorClass,
      ...(c.app ? { app: c.app } : {}),
      ...(c.status !== undefined ? { status: c.status } : {}),
      technical,
    });
  };
  for (const { key, row } of rows) {
    const decl = manifest.connections[key]!;
    const app = apps.find((a) => a.key === decl.app);
    if (!app) throw new AppError("BAD_INPUT", `the app "${decl.app}" is not set up in Portico`, { field: `connections.${key}` });
    if (row.status === "EXPIRED" || row.status === "REVOKED")
      fail(Object.assign(new Error(`the "${key}" connection is ${row.status.toLowerCase()}`), { errorClass: "AUTH", app: decl.app }));
    const credentials = row.authType === "NONE" ? {} : await decryptJson<Credentials>(scope.db, scope.organizationId, row.secret, { context: connectionSecretContext(row.id) });
    secrets.push(...secretsOf(credentials));
    runtimes[key] = { key, app: decl.app, baseUrl: app.baseUrl, auth: AUTH_KIND[row.authType], credentials, apiKeyHeader: app.apiKeyHeader };
  }
  for (const [key, decl] of Object.entries(manifest.connections)) {
    const app = apps.find((a) => a.key === decl.app);
    if (!runtimes[key] && decl.auth === "none" && app) runtimes[key] = { key, app: decl.app, baseUrl: app.baseUrl, auth: "none", credentials: {} };
  }

  // Only the form's own fields reach builder code, as the plain JSON the wizard sent.
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input.config ?? {})) if (k in form.fields && v !== undefined) config[k] = v;

  let value: unknown;
  try {
    value = await runOptionsLoader({
      bundle: {
        sha256: version.sha256,
        code: () => scope.db.integrationVersion.findUniqueOrThrow({ where: { id: version.id }, select: { bundle: true } }).then((v) => v.bundle),
      },
      field: input.field,
      config,
      handles,
      runtimes,
      timeoutMs: deps.timeoutMs ?? OPTIONS_TIMEOUT_MS,
      logger: deps.logger ?? log,
      ...(deps.outbound ? { outbound: deps.outbound } : {}),
    });
  } catch (err) {
    return fail(err);
  }
  const parsed = Options.safeParse(value);
  if (!parsed.success)
    fail(
      Object.assign(new Error(`the options loader of "${input.field}" must return at most ${MAX_OPTIONS} { value: string | number, label: string }: ${z.prettifyError(parsed.error)}`), {
        errorClass: "BUG",
      }),
    );
  return { options: parsed.data! };
}
