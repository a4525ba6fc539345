// Test and benchmark support: one customer with many ACTIVE instances subscribed to
// "order.created" (the trigger-lab integration). One instance is deployed through the service;
// the others are copies of its rows (deploying hundreds through the service would dominate the
// test's time and test nothing new).
import type { Db, Prisma } from "@/lib/db";
import { seedLab } from "./seed-lab";

export async function seedFanout(db: Db, n: number, opts: { customer?: string } = {}) {
  const lab = await seedLab(db);
  const first = await lab.deployFor(opts.customer ?? "acme");
  await lab.deployFor(`${opts.customer ?? "acme"}-neighbour`); // another customer: never addressed
  const bindings = await db.instanceConnection.findMany({ where: { instanceId: first.instance.id } });
  const ids = Array.from({ length: n - 1 }, (_, i) => `${first.instance.id}x${i}`);
  const { id: _id, createdAt: _c, updatedAt: _u, config, ...rest } = await db.instance.findUniqueOrThrow({ where: { id: first.instance.id } });
  await db.instance.createMany({ data: ids.map((id) => ({ ...rest, id, config: (config ?? {}) as Prisma.InputJsonValue })) });
  await db.instanceConnection.createMany({
    data: ids.flatMap((instanceId) => bindings.map((b) => ({ organizationId: b.organizationId, instanceId, key: b.key, connectionId: b.connectionId }))),
  });
  return { lab, customer: first.customer, instanceIds: [first.instance.id, ...ids] };
}
