import { defineIntegration, InvalidDataError, z } from "portico/sdk";

// Every 15 minutes: fetch the shop's orders created or changed since the last run, page by
// page, and keep a running tally per currency. Where the walk stands lives in ctx.state, so a
// run that stops halfway (page limit, an outage) continues from the same page next time, and
// a finished walk continues from the newest order it saw.

const ShopOrder = z.object({
  id: z.string(),
  number: z.string(),
  total: z.number(),
  currency: z.string(),
  updated_at: z.string(),
});
const OrdersPage = z.object({ data: z.array(ShopOrder), next_cursor: z.string().nullable() });

/** Where the walk stands (instance state "position"). */
interface Position {
  /** The shop's cursor while a walk is under way (it carries updated_since itself). */
  cursor: string | null;
  /** Between walks: fetch orders updated at or after this instant... */
  since: string | null;
  /** ...except these, already counted, whose updated_at is exactly `since`. */
  seenAtSince: string[];
}

const addTo = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [currency, amount] of Object.entries(from)) into[currency] = Math.round(((into[currency] ?? 0) + amount) * 100) / 100;
};

export default defineIntegration({
  key: "shop-sync",
  name: "Shop order sync",
  description: "Fetches new and changed shop orders every 15 minutes and keeps a sales tally per currency.",
  category: "E-commerce",
  icon: "refresh-cw",
  config: z.object({
    timezone: z
      .enum(["UTC", "Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo"])
      .default("UTC")
      .describe("Time zone the 15-minute schedule follows"),
    pageSize: z.number().int().min(1).max(100).default(50).describe("Orders fetched per request (1–100)"),
    maxPages: z.number().int().min(1).max(1000).default(20).describe("Pages per run at most; the rest waits for the next run"),
    syncFrom: z.iso.datetime().optional().describe("On the first run, only orders changed since this date-time (default: all)"),
  }),
  connections: {
    shop: { app: "acme-shop", auth: "oauth2", description: "Your Acme Shop store" },
  },
  flows: {
    sync: {
      name: "Sync new and changed orders",
      trigger: { schedule: { cron: "*/15 * * * *", timezone: "UTC", timezoneFromConfig: "timezone" } },
      retry: { attempts: 4 },
      async run(ctx) {
        // A step, so a retried run starts from the same position its replayed pages came from.
        const start = await ctx.step("read position", async () => {
          const stored = await ctx.state.get<Position>("position");
          return stored ?? { cursor: null, since: ctx.config.syncFrom ?? null, seenAtSince: [] };
        });

        let position: Position = start;
        let orders = 0;
        let pages = 0;
        const revenue: Record<string, number> = {};
        while (pages < ctx.config.maxPages) {
          pages++;
          const page = await ctx.step(`fetch page ${pages}`, async () => {
            const res = await ctx.http(ctx.connections.shop).get("/shop/api/orders", {
              query: position.cursor
                ? { limit: ctx.config.pageSize, cursor: position.cursor }
                : { limit: ctx.config.pageSize, updated_since: position.since ?? undefined },
            });
            const body = OrdersPage.safeParse(res.json());
            if (!body.success) throw new InvalidDataError(`The shop's order list is not in the expected shape: ${z.prettifyError(body.error)}`);

            const fresh = body.data.data.filter((o) => !(o.updated_at === position.since && position.seenAtSince.includes(o.id)));
            const pageRevenue: Record<string, number> = {};
            for (const o of fresh) addTo(pageRevenue, { [o.currency]: o.total });

            const last = body.data.data.at(-1);
            let next: Position;
            if (body.data.next_cursor) next = { ...position, cursor: body.data.next_cursor };
            else if (!last) next = { ...position, cursor: null };
            else {
              const atLast = body.data.data.filter((o) => o.updated_at === last.updated_at).map((o) => o.id);
              const carried = last.updated_at === position.since ? position.seenAtSince : [];
              next = { cursor: null, since: last.updated_at, seenAtSince: [...new Set([...carried, ...atLast])] };
            }
            await ctx.state.set("position", next);
            ctx.log.info(`page ${pages}: ${fresh.length} orders`, { first: fresh[0]?.number ?? null, last: fresh.at(-1)?.number ?? null });
            return { count: fresh.length, revenue: pageRevenue, next };
          });
          orders += page.count;
          addTo(revenue, page.revenue);
          position = page.next;
          if (!position.cursor) break;
        }

        const totals = await ctx.step("update totals", async () => {
          const before = (await ctx.state.get<{ orders: number; revenue: Record<string, number> }>("totals")) ?? { orders: 0, revenue: {} };
          const after = { orders: before.orders + orders, revenue: { ...before.revenue } };
          addTo(after.revenue, revenue);
          await ctx.state.set("totals", after);
          return after;
        });
        ctx.log.info(`synced ${orders} orders in ${pages} page(s)`, { more: position.cursor !== null, totalOrders: totals.orders });
        return { orders, pages, revenue, more: position.cursor !== null, totals };
      },
    },
  },
});
