import type { Db, Prisma } from "@/lib/db";

// The ordering gate. Runs of one (instance, flow, ordering key) run one at a time, oldest first:
// a run is claimed only if no other run of its key is RUNNING and none older is still waiting
// (QUEUED/RETRYING). Check and claim happen in one transaction under a PostgreSQL advisory lock
// on the key, so two executors can never both see the key free. A run that must wait goes back
// to the queue delayed (the caller's job) and tries again; a RETRYING run keeps its place, so
// later runs of the key wait for it — that is what "in arrival order" costs.

export type OrderedClaim = "claimed" | "lost" | "wait";

type Claimable = "QUEUED" | "RETRYING" | "RUNNING";

export interface OrderedRun {
  id: string;
  instanceId: string;
  flowKey: string;
  orderingKey: string;
  queuedAt: Date;
}

/** How long a run that must wait for its key goes back to the queue: short, with jitter. */
export function orderingWaitMs(random = Math.random): number {
  return 200 + Math.round(random() * 300);
}

export async function claimInOrder(
  db: Db,
  run: OrderedRun,
  claimable: Claimable[],
  data: Prisma.ExecutionUpdateManyMutationInput,
): Promise<OrderedClaim> {
  const lockKey = `ordering:${run.instanceId}:${run.flowKey}:${run.orderingKey}`;
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`;
    const blocker = await tx.execution.findFirst({
      where: {
        instanceId: run.instanceId,
        flowKey: run.flowKey,
        orderingKey: run.orderingKey,
        id: { not: run.id },
        OR: [
          { status: "RUNNING" },
          {
            status: { in: ["QUEUED", "RETRYING"] },
            OR: [{ queuedAt: { lt: run.queuedAt } }, { queuedAt: run.queuedAt, id: { lt: run.id } }],
          },
        ],
      },
      select: { id: true },
    });
    if (blocker) return "wait";
    const claimed = await tx.execution.updateMany({ where: { id: run.id, status: { in: claimable } }, data });
    return claimed.count === 1 ? "claimed" : "lost";
  });
}
