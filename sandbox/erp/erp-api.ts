// "erp": a back-office API (camelCase, X-Api-Key, rate limited, Idempotency-Key) under /erp.
// Every applied write is counted in state.effects, so a test can prove a retried run created
// its sales order exactly once.
import { createHash } from "node:crypto";
import { z } from "zod";
import { errorReply, header, parseJsonBody, type AppRequest, type Reply } from "../http-io";
import { DEFAULT_ERP_KEY, type SalesOrder, type SandboxState } from "../state";
import { takeToken } from "./token-bucket";

const SalesOrderInput = z.looseObject({
  externalId: z.string().min(1),
  lines: z
    .array(
      z.looseObject({
        sku: z.string().min(1),
        quantity: z.number().int().positive(),
        unitPrice: z.number().nonnegative().optional(),
      }),
    )
    .min(1),
  total: z.number().nonnegative(),
});

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function createSalesOrder(req: AppRequest, state: SandboxState): Reply {
  const idempotencyKey = header(req, "idempotency-key") ?? null;
  const requestHash = createHash("sha256").update(req.body).digest("hex");

  if (idempotencyKey) {
    const stored = state.erp.idempotency.get(idempotencyKey);
    if (stored) {
      // Stripe semantics: the same key with a different body is a client bug, not a replay.
      if (stored.requestHash !== requestHash)
        return errorReply(409, "idempotency_key_reused", "this Idempotency-Key was used with a different body");
      increment(state.effects.replaysByIdempotencyKey, idempotencyKey);
      return { status: stored.status, headers: { "idempotent-replayed": "true" }, body: stored.body };
    }
  }

  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.reply;
  const input = SalesOrderInput.safeParse(parsed.value);
  if (!input.success) {
    const fields = Object.fromEntries(input.error.issues.map((i) => [i.path.join(".") || "(body)", i.message]));
    // Not stored under the key: a corrected request with the same key may still succeed.
    return errorReply(422, "validation_failed", "sales order is invalid", { fields });
  }

  const order: SalesOrder = {
    ...input.data,
    id: `SO-${String(state.erp.salesOrders.length + 1).padStart(6, "0")}`,
    createdAt: new Date().toISOString(),
    idempotencyKey,
  };
  state.erp.salesOrders.push(order);

  const e = state.effects;
  e.total++;
  increment(e.byExternalId, order.externalId);
  if (idempotencyKey) increment(e.byIdempotencyKey, idempotencyKey);
  else e.withoutIdempotencyKey++;

  const reply = { status: 201, body: order };
  if (idempotencyKey) state.erp.idempotency.set(idempotencyKey, { ...reply, requestHash });
  return reply;
}

export interface Warehouse {
  code: string;
  name: string;
  region: "DE" | "AT";
}

// The warehouses of an ERP account: the demo key's account has four in two regions, any other
// accepted key's account only its main one (so a test can tell the accounts apart).
const DEMO_WAREHOUSES: Warehouse[] = [
  { code: "MAIN", name: "Main warehouse (Kassel)", region: "DE" },
  { code: "BER-1", name: "Berlin", region: "DE" },
  { code: "HAM-2", name: "Hamburg", region: "DE" },
  { code: "VIE-1", name: "Vienna", region: "AT" },
];

function warehousesOf(apiKey: string): Warehouse[] {
  return apiKey === DEFAULT_ERP_KEY ? DEMO_WAREHOUSES : DEMO_WAREHOUSES.slice(0, 1);
}

function route(req: AppRequest, state: SandboxState, apiKey: string): Reply {
  if (req.subpath === "/api/warehouses") {
    if (req.method !== "GET") return errorReply(405, "method_not_allowed", `${req.method} not allowed on ${req.path}`);
    const region = req.query.get("region");
    return { status: 200, body: { data: warehousesOf(apiKey).filter((w) => !region || w.region === region) } };
  }
  if (req.subpath === "/api/sales-orders") {
    if (req.method === "POST") return createSalesOrder(req, state);
    if (req.method === "GET") {
      const externalId = req.query.get("externalId");
      const data = state.erp.salesOrders.filter((o) => externalId === null || o.externalId === externalId);
      return { status: 200, body: { data } };
    }
    return errorReply(405, "method_not_allowed", `${req.method} not allowed on ${req.path}`);
  }
  const one = /^\/api\/sales-orders\/([^/]+)$/.exec(req.subpath);
  if (one && req.method === "GET") {
    const id = decodeURIComponent(one[1]!);
    const order = state.erp.salesOrders.find((o) => o.id === id);
    return order ? { status: 200, body: order } : errorReply(404, "not_found", `sales order ${id} not found`);
  }
  return errorReply(404, "not_found", `no route ${req.method} ${req.path}`);
}

export function handleErp(req: AppRequest, state: SandboxState): Reply {
  const apiKey = header(req, "x-api-key");
  if (!apiKey || !state.erp.acceptedKeys.has(apiKey))
    return errorReply(401, "invalid_api_key", "missing or invalid X-Api-Key header");

  const { rateLimit } = state.erp;
  if (!rateLimit.enabled) return route(req, state, apiKey);

  const now = Date.now();
  const take = takeToken(state.erp.buckets, apiKey, rateLimit, now);
  if (!take.ok) {
    const retryAfter = Math.max(1, Math.ceil(take.retryAfterMs / 1000));
    return {
      status: 429,
      headers: {
        "retry-after": String(retryAfter),
        "x-ratelimit-limit": String(take.limit),
        "x-ratelimit-remaining": "0",
        // Unix epoch seconds (GitHub's convention), when at least one request is allowed again.
        "x-ratelimit-reset": String(Math.ceil((now + retryAfter * 1000) / 1000)),
      },
      body: { error: { code: "rate_limited", message: `rate limit exceeded, retry after ${retryAfter}s` } },
    };
  }
  const reply = route(req, state, apiKey);
  return {
    ...reply,
    headers: { ...reply.headers, "x-ratelimit-limit": String(take.limit), "x-ratelimit-remaining": String(take.remaining) },
  };
}
