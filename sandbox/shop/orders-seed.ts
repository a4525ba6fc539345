// Deterministic seed: every sandbox start (and every reset) yields the same 120 orders, so the
// demo and tests can name orders by id and count pages without fixtures of their own.

export interface ShopOrderItem {
  sku: string;
  name: string;
  quantity: number;
  unit_price: number;
}

export interface ShopOrder {
  id: string;
  number: string;
  customer_email: string;
  items: ShopOrderItem[];
  total: number;
  currency: string;
  created_at: string;
  updated_at: string;
}

export const SEEDED_ORDER_COUNT = 120;
/** Seeded orders are updated between this instant and ~3 days later; new orders use the clock. */
export const SEED_START = Date.parse("2025-01-06T08:00:00.000Z");

const PRODUCTS: { sku: string; name: string; cents: number }[] = [
  { sku: "MUG-RED", name: "Red mug", cents: 1290 },
  { sku: "MUG-BLU", name: "Blue mug", cents: 1290 },
  { sku: "TEE-S", name: "T-shirt S", cents: 2400 },
  { sku: "TEE-M", name: "T-shirt M", cents: 2400 },
  { sku: "TEE-L", name: "T-shirt L", cents: 2400 },
  { sku: "CAP-01", name: "Cap", cents: 1850 },
  { sku: "BAG-TOTE", name: "Tote bag", cents: 990 },
  { sku: "PEN-SET", name: "Pen set", cents: 599 },
  { sku: "NB-A5", name: "Notebook A5", cents: 749 },
  { sku: "STK-PACK", name: "Sticker pack", cents: 350 },
];
const FIRST_NAMES = ["ada", "alan", "grace", "linus", "margaret", "dennis", "barbara", "ken", "frances", "edsger"];
const DOMAINS = ["example.com", "example.org", "example.net"];
const CURRENCIES = ["EUR", "EUR", "EUR", "USD", "GBP"];

// mulberry32: tiny, fast, and the same sequence on every platform.
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)] as T;
}

export function orderId(n: number): string {
  return `ord_${String(n).padStart(5, "0")}`;
}

export function orderTotal(items: ShopOrderItem[]): number {
  const cents = items.reduce((sum, i) => sum + i.quantity * Math.round(i.unit_price * 100), 0);
  return cents / 100;
}

export function seedShopOrders(): ShopOrder[] {
  const rand = prng(20250106);
  const orders: ShopOrder[] = [];
  let minute = 0;
  for (let i = 1; i <= SEEDED_ORDER_COUNT; i++) {
    const itemCount = 1 + Math.floor(rand() * 4);
    const items: ShopOrderItem[] = [];
    for (let j = 0; j < itemCount; j++) {
      const p = pick(rand, PRODUCTS);
      items.push({ sku: p.sku, name: p.name, quantity: 1 + Math.floor(rand() * 3), unit_price: p.cents / 100 });
    }
    const created = SEED_START + minute * 60_000;
    // Some orders were edited later, so updated_at order differs from id order (as in real shops).
    const edited = rand() < 0.2 ? Math.floor(rand() * 600) : 0;
    // Several orders share a minute: paging must break ties on id, not on the timestamp alone.
    minute += Math.floor(rand() * 70);
    orders.push({
      id: orderId(i),
      number: String(1000 + i),
      customer_email: `${pick(rand, FIRST_NAMES)}.${i}@${pick(rand, DOMAINS)}`,
      items,
      total: orderTotal(items),
      currency: pick(rand, CURRENCIES),
      created_at: new Date(created).toISOString(),
      updated_at: new Date(created + edited * 60_000).toISOString(),
    });
  }
  return orders;
}
