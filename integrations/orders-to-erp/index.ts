import { configField, defineIntegration, InvalidDataError, z } from "portico/sdk";

// Webhook order from the shop → validated → mapped to the ERP's sales order → pushed once.
// The ERP honours Idempotency-Key, so a retried push (or a replay) never makes a second order.

const Order = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  number: z.union([z.string(), z.number()]).transform(String),
  currency: z.string().length(3),
  lines: z
    .array(
      z.object({
        sku: z.string().min(1),
        qty: z.number().int().positive(),
        price: z.number().nonnegative(),
      }),
    )
    .min(1, "an order needs at least one line"),
});

export default defineIntegration({
  key: "orders-to-erp",
  name: "Shop orders to ERP",
  description: "Creates a sales order in the ERP for every new shop order.",
  category: "ERP",
  icon: "package",
  // The customer's settings wizard: two pages. Each field keeps a stable id, so a later version
  // may rename its key and upgrades still carry the customer's value over.
  config: z.object({
    customerAccount: configField(z.string().min(1).default("WEBSHOP").describe("ERP account the orders are booked on"), {
      id: "customerAccount",
      page: "booking",
      title: "Customer account",
    }),
    region: configField(z.enum(["DE", "AT"]).optional().describe("Offer only the warehouses of this region"), {
      id: "region",
      page: "shipping",
      title: "Region",
    }),
    warehouse: configField(z.string().min(1).default("MAIN").describe("Warehouse code the ERP ships from"), {
      id: "warehouse",
      page: "shipping",
      title: "Warehouse",
    }),
  }),
  configPages: [
    { key: "booking", title: "Booking", description: "How the ERP books the shop's orders." },
    { key: "shipping", title: "Shipping", description: "Where the orders ship from." },
  ],
  // The warehouse choices come from the customer's own ERP account, once it is connected, and
  // are loaded again when the region changes.
  configOptions: {
    warehouse: {
      connection: "erp",
      dependsOn: ["region"],
      async load(ctx) {
        const res = await ctx.http(ctx.connections.erp).get("/erp/api/warehouses", { query: { region: ctx.config.region } });
        const { data } = res.json<{ data: { code: string; name: string }[] }>();
        return data.map((w) => ({ value: w.code, label: `${w.name} (${w.code})` }));
      },
    },
  },
  connections: {
    erp: { app: "erp", auth: "apiKey", description: "Your ERP account" },
  },
  flows: {
    onOrder: {
      name: "New order → ERP sales order",
      trigger: { webhook: {} },
      retry: { attempts: 3 },
      async run(ctx) {
        const order = await ctx.step("validate order", () => {
          const parsed = Order.safeParse(ctx.trigger.payload);
          if (!parsed.success) {
            throw new InvalidDataError(`The order is not valid: ${z.prettifyError(parsed.error)}`);
          }
          ctx.log.info("order received", { orderId: parsed.data.id, lines: parsed.data.lines.length });
          return parsed.data;
        });
        ctx.reference(order.number);

        const salesOrder = await ctx.step("map to sales order", () => ({
          externalId: order.number,
          account: ctx.config.customerAccount,
          warehouse: ctx.config.warehouse,
          currency: order.currency,
          lines: order.lines.map((line) => ({ sku: line.sku, quantity: line.qty, unitPrice: line.price })),
          total: Math.round(order.lines.reduce((sum, l) => sum + l.qty * l.price, 0) * 100) / 100,
        }));

        const created = await ctx.step("push to ERP", async () => {
          const res = await ctx.http(ctx.connections.erp).post("/erp/api/sales-orders", {
            json: salesOrder,
            headers: { "Idempotency-Key": `order-${order.id}` },
          });
          return res.json<{ id?: string }>();
        });
        ctx.log.info("sales order created", { salesOrderId: created.id ?? null });
        return { salesOrderId: created.id ?? null };
      },
    },
  },
});
