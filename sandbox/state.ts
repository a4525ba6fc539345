// Everything a sandbox instance knows lives in one object so tests can read and tweak it
// in-process (startSandbox returns it) and the admin API can reset it. Reset mutates in place:
// code holding a reference to `state` keeps seeing the live values.
import type { FaultRule } from "./faults/fault-rules";
import type { RecordedRequest } from "./request-log";
import { seedShopOrders, type ShopOrder } from "./shop/orders-seed";
import type { TokenBucket } from "./erp/token-bucket";

export type AppName = "shop" | "erp";

export interface SalesOrder {
  id: string;
  externalId: string;
  lines: unknown[];
  total: number;
  createdAt: string;
  idempotencyKey: string | null;
  [field: string]: unknown;
}

export interface StoredReply {
  status: number;
  body: unknown;
  /** sha256 of the request body: the same key with another body is refused, not replayed. */
  requestHash: string;
}

export interface RateLimitConfig {
  /** Tokens added per second, per API key. 0 = no refill (handy for deterministic tests). */
  ratePerSecond: number;
  /** Bucket size: how many requests may arrive at once. */
  burst: number;
  /** false = never answer 429. */
  enabled: boolean;
}

export interface SandboxState {
  shop: {
    orders: ShopOrder[];
    /** Bearer tokens the shop accepts. An OAuth stand-in can add and revoke tokens here. */
    acceptedTokens: Set<string>;
    nextOrderNumber: number;
  };
  erp: {
    salesOrders: SalesOrder[];
    acceptedKeys: Set<string>;
    rateLimit: RateLimitConfig;
    buckets: Map<string, TokenBucket>;
    idempotency: Map<string, StoredReply>;
  };
  /** Writes the ERP actually applied, so tests can prove "exactly once". */
  effects: {
    total: number;
    byIdempotencyKey: Map<string, number>;
    byExternalId: Map<string, number>;
    withoutIdempotencyKey: number;
    /** Requests answered from the idempotency store instead of being applied again. */
    replaysByIdempotencyKey: Map<string, number>;
  };
  faults: FaultRule[];
  requests: RecordedRequest[];
  /** Requests dropped from the log once it reached its cap. */
  requestsDropped: number;
  nextId: number;
}

export const DEFAULT_SHOP_TOKEN = "shop-demo-token";
export const DEFAULT_ERP_KEY = "erp-demo-key";
export const DEFAULT_RATE_LIMIT: RateLimitConfig = { ratePerSecond: 20, burst: 20, enabled: true };

export function createSandboxState(): SandboxState {
  const state = {} as SandboxState;
  resetSandboxState(state);
  return state;
}

export function resetSandboxState(state: SandboxState): void {
  const orders = seedShopOrders();
  state.shop = {
    orders,
    acceptedTokens: new Set([DEFAULT_SHOP_TOKEN]),
    nextOrderNumber: 1001 + orders.length,
  };
  state.erp = {
    salesOrders: [],
    acceptedKeys: new Set([DEFAULT_ERP_KEY]),
    rateLimit: { ...DEFAULT_RATE_LIMIT },
    buckets: new Map(),
    idempotency: new Map(),
  };
  state.effects = {
    total: 0,
    byIdempotencyKey: new Map(),
    byExternalId: new Map(),
    withoutIdempotencyKey: 0,
    replaysByIdempotencyKey: new Map(),
  };
  state.faults = [];
  state.requests = [];
  state.requestsDropped = 0;
  state.nextId = 1;
}

export function nextId(state: SandboxState): number {
  return state.nextId++;
}

export function effectsSnapshot(state: SandboxState) {
  const e = state.effects;
  return {
    total: e.total,
    byIdempotencyKey: Object.fromEntries(e.byIdempotencyKey),
    byExternalId: Object.fromEntries(e.byExternalId),
    withoutIdempotencyKey: e.withoutIdempotencyKey,
    replaysByIdempotencyKey: Object.fromEntries(e.replaysByIdempotencyKey),
  };
}

export type EffectsSnapshot = ReturnType<typeof effectsSnapshot>;
