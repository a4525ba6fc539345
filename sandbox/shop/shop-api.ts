// "acme-shop": a Shopify-like store API (snake_case, bearer tokens, cursor paging) under /shop.
import { z } from "zod";
import { errorReply, header, parseJsonBody, type AppRequest, type Reply } from "../http-io";
import type { SandboxState } from "../state";
import { orderId, orderTotal, type ShopOrder } from "./orders-seed";

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;

const NewOrder = z.object({
  customer_email: z.email(),
  items: z
    .array(
      z.object({
        sku: z.string().min(1),
        name: z.string().optional(),
        quantity: z.number().int().positive(),
        unit_price: z.number().nonnegative(),
      }),
    )
    .min(1),
  currency: z.string().length(3).optional(),
});

// The cursor is keyset (updated_at, id) plus the filter it was issued for: orders created or
// edited while a client pages move to the end instead of shifting pages, so a walk never sees
// an order twice or skips one that existed when it started.
interface Cursor {
  u: string;
  id: string;
  since: string | null;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeCursor(raw: string): Cursor | null {
  try {
    const c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Partial<Cursor>;
    if (typeof c.u !== "string" || typeof c.id !== "string") return null;
    return { u: c.u, id: c.id, since: typeof c.since === "string" ? c.since : null };
  } catch {
    return null;
  }
}

function byUpdated(a: ShopOrder, b: ShopOrder): number {
  return a.updated_at < b.updated_at ? -1 : a.updated_at > b.updated_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function authorized(req: AppRequest, state: SandboxState): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header(req, "authorization") ?? "");
  return !!match && state.shop.acceptedTokens.has(match[1]!.trim());
}

function listOrders(req: AppRequest, state: SandboxState): Reply {
  const limitRaw = req.query.get("limit");
  const limit = limitRaw === null ? DEFAULT_LIMIT : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    return errorReply(400, "bad_request", `limit must be an integer from 1 to ${MAX_LIMIT}`);

  let since: string | null = null;
  let after: { u: string; id: string } | null = null;
  const cursorRaw = req.query.get("cursor");
  if (cursorRaw) {
    const cursor = decodeCursor(cursorRaw);
    if (!cursor) return errorReply(400, "bad_request", "cursor is not valid");
    after = cursor;
    since = cursor.since;
  } else {
    const sinceRaw = req.query.get("updated_since");
    if (sinceRaw) {
      const t = Date.parse(sinceRaw);
      if (Number.isNaN(t)) return errorReply(400, "bad_request", "updated_since must be an ISO 8601 date-time");
      since = new Date(t).toISOString();
    }
  }

  const sorted = state.shop.orders
    .filter((o) => since === null || o.updated_at >= since)
    .filter((o) => after === null || o.updated_at > after.u || (o.updated_at === after.u && o.id > after.id))
    .sort(byUpdated);
  const page = sorted.slice(0, limit);
  const last = page[page.length - 1];
  const next_cursor = sorted.length > limit && last ? encodeCursor({ u: last.updated_at, id: last.id, since }) : null;
  return { status: 200, body: { data: page, next_cursor } };
}

function createOrder(req: AppRequest, state: SandboxState): Reply {
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.reply;
  const input = NewOrder.safeParse(parsed.value);
  if (!input.success) {
    const fields = Object.fromEntries(input.error.issues.map((i) => [i.path.join(".") || "(body)", i.message]));
    return errorReply(422, "validation_failed", "order is invalid", { fields });
  }
  const now = new Date().toISOString();
  const items = input.data.items.map((i) => ({ ...i, name: i.name ?? i.sku }));
  const n = state.shop.nextOrderNumber++;
  const order: ShopOrder = {
    id: orderId(n - 1000),
    number: String(n),
    customer_email: input.data.customer_email,
    items,
    total: orderTotal(items),
    currency: input.data.currency ?? "EUR",
    created_at: now,
    updated_at: now,
  };
  state.shop.orders.push(order);
  return { status: 201, body: order };
}

export function handleShop(req: AppRequest, state: SandboxState): Reply {
  if (!authorized(req, state))
    return {
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="acme-shop", error="invalid_token"' },
      body: { error: { code: "unauthorized", message: "missing or invalid bearer token" } },
    };

  if (req.subpath === "/api/orders") {
    if (req.method === "GET") return listOrders(req, state);
    if (req.method === "POST") return createOrder(req, state);
    return errorReply(405, "method_not_allowed", `${req.method} not allowed on ${req.path}`);
  }
  const one = /^\/api\/orders\/([^/]+)$/.exec(req.subpath);
  if (one && req.method === "GET") {
    const id = decodeURIComponent(one[1]!);
    const order = state.shop.orders.find((o) => o.id === id);
    return order ? { status: 200, body: order } : errorReply(404, "not_found", `order ${id} not found`);
  }
  return errorReply(404, "not_found", `no route ${req.method} ${req.path}`);
}
