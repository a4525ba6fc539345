import { getDb } from "@/lib/db";
import { getProducerRedis } from "@/server/producer-redis";
import { checkHealth } from "@/server/services/health/check-health";

export const dynamic = "force-dynamic";

// Unauthenticated on purpose (load balancers probe it); it says only which store is down.
export async function GET() {
  const health = await checkHealth({ db: getDb(), redis: getProducerRedis() });
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
