import { defineIntegration, z } from "portico/sdk";

// Test integration for schedules: a flow ticking every second whose run outlasts a tick
// (overlap "skip" by default), and a rarely-ticking flow with overlap "queue".
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export default defineIntegration({
  key: "schedule-lab",
  name: "Schedule lab",
  config: z.object({ zone: z.string().default("Europe/Berlin") }),
  flows: {
    everySecond: {
      trigger: { schedule: { cron: "* * * * * *", timezoneFromConfig: "zone" } },
      async run(ctx) {
        return ctx.step("tick", async () => {
          await sleep(1_200);
          return ctx.trigger.payload;
        });
      },
    },
    yearly: {
      trigger: { schedule: { cron: "0 0 1 1 *", timezone: "UTC", overlap: "queue" } },
      async run(ctx) {
        return ctx.step("tick", () => ctx.trigger.payload);
      },
    },
  },
});
