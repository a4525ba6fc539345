import type { Db } from "@/lib/db";
import type { Logger } from "@/lib/logger";
import { QUEUES } from "@/lib/queues";
import { schedulerId, type ScheduleTicksQueue } from "./schedule-ticks-queue";

// Schedules live in Redis as BullMQ job schedulers (one per instance × scheduled flow), derived
// entirely from PostgreSQL: an ACTIVE instance has one per schedule flow of its version, any
// other status none. syncSchedules makes Redis match the rows for one instance (call it after
// deploy, pause, resume, upgrade, delete); syncAllSchedules re-registers every one (at executor
// start-up, periodically, and when Redis lost them: see start-scheduling.ts). Both are idempotent.

export interface ScheduleDeps {
  db: Db;
  /** The queue, or how to get it (so callers with nothing scheduled never open a connection). */
  queue: ScheduleTicksQueue | (() => ScheduleTicksQueue);
  logger?: Logger;
}

const queueOf = (deps: ScheduleDeps) => (typeof deps.queue === "function" ? deps.queue() : deps.queue);

export interface ScheduledFlow {
  flowKey: string;
  cron: string;
  timezone: string;
}

type ManifestFlows = Record<string, { trigger?: { type?: string; cron?: string; timezone?: string; timezoneFromConfig?: string } }>;

/** The schedule flows of a version's manifest, with each one's zone for this instance's config. */
export function scheduledFlowsOf(manifest: unknown, config: unknown): ScheduledFlow[] {
  const flows = ((manifest as { flows?: ManifestFlows } | null)?.flows ?? {}) as ManifestFlows;
  const cfg = (config ?? {}) as Record<string, unknown>;
  const out: ScheduledFlow[] = [];
  for (const [flowKey, flow] of Object.entries(flows)) {
    const t = flow.trigger;
    if (t?.type !== "schedule" || typeof t.cron !== "string") continue;
    const fromConfig = t.timezoneFromConfig ? cfg[t.timezoneFromConfig] : undefined;
    const timezone = typeof fromConfig === "string" && fromConfig ? fromConfig : (t.timezone ?? "UTC");
    out.push({ flowKey, cron: t.cron, timezone });
  }
  return out;
}

export async function syncSchedules(
  deps: ScheduleDeps,
  instanceId: string,
  opts: { previousVersionId?: string } = {},
): Promise<{ registered: string[]; removed: string[] }> {
  const instance = await deps.db.instance.findUnique({
    where: { id: instanceId },
    select: { status: true, deletedAt: true, config: true, version: { select: { manifest: true } } },
  });
  const all = instance ? scheduledFlowsOf(instance.version.manifest, instance.config) : [];
  const wanted = instance && instance.status === "ACTIVE" && !instance.deletedAt ? all : [];
  const registered: string[] = [];
  for (const s of wanted) {
    await queueOf(deps).upsertJobScheduler(
      schedulerId(instanceId, s.flowKey),
      { pattern: s.cron, tz: s.timezone },
      { name: QUEUES.scheduleTicks.jobs.tick.name, data: { instanceId, flowKey: s.flowKey } },
    );
    registered.push(s.flowKey);
  }

  const stale = new Set(all.map((s) => s.flowKey));
  if (opts.previousVersionId) {
    const previous = await deps.db.integrationVersion.findUnique({ where: { id: opts.previousVersionId }, select: { manifest: true } });
    for (const s of scheduledFlowsOf(previous?.manifest, instance?.config)) stale.add(s.flowKey);
  }
  for (const flowKey of registered) stale.delete(flowKey);
  const removed: string[] = [];
  for (const flowKey of stale) {
    if (await queueOf(deps).removeJobScheduler(schedulerId(instanceId, flowKey))) removed.push(flowKey);
  }
  if (registered.length || removed.length) deps.logger?.info({ instanceId, registered, removed }, "schedules synced");
  return { registered, removed };
}

/** Every ACTIVE instance's schedules, registered again (after Redis lost them, or at start-up). */
export async function syncAllSchedules(deps: ScheduleDeps): Promise<{ instances: number }> {
  let cursor: string | undefined;
  let instances = 0;
  for (;;) {
    const page = await deps.db.instance.findMany({
      where: { status: "ACTIVE", deletedAt: null },
      select: { id: true, version: { select: { manifest: true } } },
      orderBy: { id: "asc" },
      take: 500,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const row of page) {
      if (scheduledFlowsOf(row.version.manifest, {}).length === 0) continue;
      await syncSchedules(deps, row.id);
      instances++;
    }
    if (page.length < 500) return { instances };
    cursor = page[page.length - 1]!.id;
  }
}
