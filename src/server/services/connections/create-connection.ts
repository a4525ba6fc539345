import { z } from "zod";
import { connectionSecretContext } from "@/engine/connection-secret";
import { encryptJson } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import type { AuthType } from "@/generated/prisma/client";
import { recordAudit } from "../audit/record-audit";
import { getOwnedCustomer } from "../../tenancy/owned";
import type { OrgScope } from "../../tenancy/scope";

// The SDK spells auth kinds as builders write them ("apiKey"); the database as an enum.
const AUTH_TYPES: Record<string, AuthType> = {
  oauth2: "OAUTH2",
  apiKey: "API_KEY",
  basic: "BASIC",
  none: "NONE",
  OAUTH2: "OAUTH2",
  API_KEY: "API_KEY",
  BASIC: "BASIC",
  NONE: "NONE",
};

const CREDENTIALS: Record<AuthType, z.ZodType<Record<string, unknown>>> = {
  API_KEY: z.object({ apiKey: z.string().min(1) }),
  OAUTH2: z.object({
    accessToken: z.string().min(1),
    refreshToken: z.string().min(1).optional(),
    tokenType: z.string().optional(),
    expiresAt: z.iso.datetime().optional(),
  }),
  BASIC: z.object({ username: z.string().min(1), password: z.string() }),
  NONE: z.object({}),
};

export interface CreateConnectionInput {
  customerId: string;
  appKey: string;
  authType: AuthType | "oauth2" | "apiKey" | "basic" | "none";
  /** apiKey: { apiKey } · oauth2: { accessToken, refreshToken?, expiresAt? } · basic: { username, password } · none: {} */
  credentials: Record<string, unknown>;
  label?: string;
  scopes?: string[];
}

/**
 * Stores one customer's credentials for one app, envelope-encrypted and bound to the row
 * (AAD `connection:<id>:credentials`, so a ciphertext copied to another row does not decrypt).
 * The secret is never returned, logged or audited.
 */
export async function createConnection(scope: OrgScope, input: CreateConnectionInput) {
  const authType = AUTH_TYPES[input.authType];
  if (!authType) throw new AppError("BAD_INPUT", `unknown auth type "${input.authType}"`);
  const customer = await getOwnedCustomer(scope, input.customerId);
  const app = await scope.db.app.findFirst({
    where: { organizationId: scope.organizationId, key: input.appKey },
    select: { key: true },
  });
  if (!app) throw new AppError("BAD_INPUT", `unknown app "${input.appKey}"`, { field: "appKey" });

  const parsed = CREDENTIALS[authType].safeParse(input.credentials);
  if (!parsed.success)
    // Field names only: a message echoing the input could carry the secret.
    throw new AppError("BAD_INPUT", `credentials for ${authType} need: ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`);

  return scope.db.$transaction(async (tx) => {
    const row = await tx.connection.create({
      data: {
        organizationId: scope.organizationId,
        customerId: customer.id,
        appKey: app.key,
        authType,
        label: input.label ?? null,
        scopes: input.scopes ?? [],
        secret: "", // replaced below: the AAD needs the row's id
        expiresAt: typeof parsed.data.expiresAt === "string" ? new Date(parsed.data.expiresAt) : null,
      },
      select: { id: true },
    });
    const secret = await encryptJson(tx, scope.organizationId, parsed.data, { context: connectionSecretContext(row.id) });
    const connection = await tx.connection.update({ where: { id: row.id }, data: { secret }, omit: { secret: true } });
    await recordAudit(
      scope,
      { action: "connection.created", targetType: "connection", targetId: connection.id, data: { appKey: app.key, authType, customerId: customer.id } },
      tx,
    );
    return connection;
  });
}
