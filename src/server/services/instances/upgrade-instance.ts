import { loadVersionBundle } from "@/engine/bundle/bundle-cache";
import type { Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { AnyIntegration } from "@/sdk";
import { recordAudit } from "../audit/record-audit";
import { configFormOfVersion, mapConfigByFieldId } from "../config-forms/map-config-by-field-id";
import { syncInstanceSchedules } from "../executions/sync-instance-schedules";
import { getOwnedInstance, getOwnedVersion } from "../../tenancy/owned";
import { actorRef, type OrgScope } from "../../tenancy/scope";
import { newWebhookToken } from "./deploy-instance";
import { getInstance, type InstanceDetail } from "./get-instance";

// Moving an instance to another version of its integration: an upgrade, or a rollback (the
// same operation towards an older version). The config's values move to the target's keys by
// stable field id (map-config-by-field-id.ts), then go through the target version's `migrate`,
// then its config schema; if either refuses, the instance stays where it is and says
// why (statusReason + a FAILED InstanceUpgrade row). Webhook URLs never change: endpoints of
// flows the target adds are created, existing ones are kept. Runs already queued keep the
// version (and config) they were queued with: see engine/rollouts/config-for-version.ts.

/** statusReason of an instance whose last upgrade failed; replaced or cleared by the next attempt. */
export const UPGRADE_FAILED_PREFIX = "Upgrade to version ";

type VersionRow = { id: string; number: number; integrationId: string; sha256: string; status: string; paused: boolean };
type InstanceRow = { id: string; versionId: string; config: unknown; statusReason: string | null; integrationId: string };

export type UpgradeAttempt =
  | { ok: true; instanceId: string; from: { id: string; number: number }; to: { id: string; number: number } }
  | { ok: false; instanceId: string; from: { id: string; number: number }; to: { id: string; number: number }; reason: string; issues?: { path: string; message: string }[] };

async function definitionOf(scope: OrgScope, version: VersionRow): Promise<AnyIntegration> {
  return loadVersionBundle(scope.db, version);
}

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
}

/** Refusals that do not depend on the instance's config: nothing is recorded for these. */
export function checkTarget(from: VersionRow, to: VersionRow, opts: { allowDeprecated?: boolean } = {}): void {
  if (to.integrationId !== from.integrationId) throw new AppError("BAD_INPUT", "that version belongs to another integration");
  if (to.id === from.id) throw new AppError("CONFLICT", `the instance is already on version ${to.number}`);
  if (to.status === "DRAFT") throw new AppError("CONFLICT", `version ${to.number} is a draft`);
  if (to.paused) throw new AppError("CONFLICT", `version ${to.number} is paused (kill switch); resume it first`);
  // Rolling back onto a deprecated version is allowed (that is what rollbacks are for); new upgrades onto one are not.
  if (to.status === "DEPRECATED" && !opts.allowDeprecated && to.number > from.number)
    throw new AppError("CONFLICT", `version ${to.number} is deprecated`);
}

/**
 * Tries to move one instance from `from` to `to` and records the outcome. Returns ok: false
 * (never throws) when the config cannot be carried over, so bulk upgrades go on with the rest.
 */
export async function attemptUpgrade(
  scope: OrgScope,
  instance: InstanceRow,
  from: VersionRow,
  to: VersionRow,
  opts: { rolloutId?: string } = {},
): Promise<UpgradeAttempt> {
  const ids = { instanceId: instance.id, from: { id: from.id, number: from.number }, to: { id: to.id, number: to.number } };
  const def = await definitionOf(scope, to);

  // A rollback restores the config the instance had on that version, when this instance came
  // from it: the older code's migrate cannot know about newer shapes.
  let base = asObject(instance.config);
  let restored = false;
  if (to.number < from.number) {
    const left = await scope.db.instanceUpgrade.findFirst({
      where: { instanceId: instance.id, fromVersionId: to.id, toVersionId: from.id, status: "SUCCEEDED" },
      orderBy: { at: "desc" },
      select: { fromConfig: true },
    });
    if (left) {
      base = asObject(left.fromConfig);
      restored = true;
    }
  }

  // Values follow their field's stable id to the target's keys before migrate sees them (a
  // restored config is in the target's shape already).
  if (!restored) base = mapConfigByFieldId(base, await configFormOfVersion(scope.db, from.id), await configFormOfVersion(scope.db, to.id));

  let failure: { reason: string; issues?: { path: string; message: string }[] } | null = null;
  let config: Record<string, unknown> | undefined;
  let migrated: Record<string, unknown> = base;
  if (def.migrate && !restored) {
    try {
      migrated = asObject(def.migrate(structuredClone(base), from.number));
    } catch (err) {
      failure = { reason: `migrate from version ${from.number} failed: ${(err as Error).message ?? String(err)}` };
    }
  }
  if (!failure) {
    const parsed = def.config.safeParse(migrated);
    if (parsed.success) config = parsed.data as Record<string, unknown>;
    else {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
      failure = { reason: `the config does not fit version ${to.number}: ${issues.map((i) => `${i.path || "(config)"}: ${i.message}`).join("; ")}`, issues };
    }
  }
  if (!failure) {
    const bound = await scope.db.instanceConnection.findMany({ where: { instanceId: instance.id }, select: { key: true } });
    const missing = Object.entries(def.connections ?? {}).filter(([key, d]) => d.auth !== "none" && !bound.some((b) => b.key === key));
    if (missing.length)
      failure = { reason: `version ${to.number} needs connection${missing.length > 1 ? "s" : ""} ${missing.map(([k, d]) => `"${k}" (${d.app})`).join(", ")} that the instance does not have` };
  }

  const { actorType, actorId } = actorRef(scope.actor);
  const record = {
    organizationId: scope.organizationId,
    instanceId: instance.id,
    fromVersionId: from.id,
    toVersionId: to.id,
    rolloutId: opts.rolloutId ?? null,
    fromConfig: instance.config as Prisma.InputJsonValue,
    actorType,
    actorId,
  };
  const clearsOldFailure = instance.statusReason?.startsWith(UPGRADE_FAILED_PREFIX) ?? false;

  if (failure) {
    const f = failure;
    await scope.db.$transaction(async (tx) => {
      await tx.instanceUpgrade.create({
        data: { ...record, status: "FAILED", error: f.reason, ...(f.issues && { details: { issues: f.issues } }) },
      });
      // Shown with the instance; never overwrites a pause reason or an alert's.
      if (instance.statusReason === null || clearsOldFailure)
        await tx.instance.update({ where: { id: instance.id }, data: { statusReason: `${UPGRADE_FAILED_PREFIX}${to.number} failed: ${f.reason}` } });
      await recordAudit(scope, { action: "instance.upgradeFailed", targetType: "instance", targetId: instance.id, data: { from: from.number, to: to.number, reason: f.reason } }, tx);
    });
    return { ok: false, ...ids, ...f };
  }

  const webhookFlows = Object.entries(def.flows)
    .filter(([, flow]) => "webhook" in flow.trigger)
    .map(([flowKey]) => flowKey);
  const moved = await scope.db.$transaction(async (tx) => {
    // Conditional on the version it was read on: a concurrent upgrade wins once, never twice.
    const updated = await tx.instance.updateMany({
      where: { id: instance.id, versionId: from.id, deletedAt: null },
      data: { versionId: to.id, config: config as Prisma.InputJsonValue, ...(clearsOldFailure && { statusReason: null }) },
    });
    if (updated.count === 0) return false;
    const existing = await tx.webhookEndpoint.findMany({ where: { instanceId: instance.id }, select: { flowKey: true } });
    const added = webhookFlows.filter((k) => !existing.some((e) => e.flowKey === k));
    if (added.length)
      await tx.webhookEndpoint.createMany({
        data: added.map((flowKey) => ({ organizationId: scope.organizationId, instanceId: instance.id, flowKey, token: newWebhookToken() })),
      });
    await tx.instanceUpgrade.create({ data: { ...record, status: "SUCCEEDED", toConfig: config as Prisma.InputJsonValue } });
    await recordAudit(
      scope,
      { action: to.number > from.number ? "instance.upgraded" : "instance.rolledBack", targetType: "instance", targetId: instance.id, data: { from: from.number, to: to.number, ...(opts.rolloutId && { rolloutId: opts.rolloutId }) } },
      tx,
    );
    return true;
  });
  if (!moved) return { ok: false, ...ids, reason: "the instance changed version meanwhile; try again" };
  await syncInstanceSchedules(scope.db, instance.id, { previousVersionId: from.id });
  return { ok: true, ...ids };
}

export interface UpgradeInstanceInput {
  instanceId: string;
  /** The target, by number (REST) or id (console). */
  version?: number;
  versionId?: string;
}

/**
 * Upgrades (or rolls back) one instance. A config the target refuses is a CONFLICT naming the
 * reason (details.issues for schema errors); the instance stays on its version.
 */
export async function upgradeInstance(scope: OrgScope, input: UpgradeInstanceInput): Promise<InstanceDetail & { upgradedFrom: number }> {
  const owned = await getOwnedInstance(scope, input.instanceId);
  const from = await getOwnedVersion(scope, owned.versionId);
  let to: VersionRow;
  if (input.versionId) to = await getOwnedVersion(scope, input.versionId);
  else if (input.version !== undefined) {
    const row = await scope.db.integrationVersion.findFirst({
      where: { organizationId: scope.organizationId, integrationId: owned.integrationId, number: input.version },
      omit: { bundle: true, manifest: true },
    });
    if (!row) throw new AppError("NOT_FOUND", `version ${input.version} not found`);
    to = row;
  } else throw new AppError("BAD_INPUT", "name the version to move to");
  checkTarget(from, to);

  const result = await attemptUpgrade(scope, owned, from, to);
  if (!result.ok)
    throw new AppError("CONFLICT", `The instance stays on version ${from.number}: ${result.reason}`, {
      stayedOn: from.number,
      reason: result.reason,
      ...(result.issues && { issues: result.issues }),
    });
  return { ...(await getInstance(scope, owned.id)), upgradedFrom: from.number };
}
