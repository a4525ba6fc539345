import { defineIntegration, z } from "portico/sdk";

// Test integration for tick accounting: a quick flow every 2 seconds with overlap "queue", so
// every tick the scheduler fires becomes exactly one run (its payload says which tick).
export default defineIntegration({
  key: "tick-lab",
  name: "Tick lab",
  config: z.object({}),
  flows: {
    tick: {
      trigger: { schedule: { cron: "*/2 * * * * *", timezone: "UTC", overlap: "queue" } },
      async run(ctx) {
        return ctx.step("tick", () => ctx.trigger.payload);
      },
    },
  },
});
