import { z } from "zod";

// What the launcher (npm start, the e2e stack) reads. The app's own variables are in src/lib/env.ts;
// this schema only adds where local infrastructure lives when no URLs are given.
const LauncherEnv = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  PORTICO_DATA_DIR: z.string().default(".portico"),
  PORTICO_PG_PORT: z.coerce.number().int().default(54329),
  PORTICO_REDIS_PORT: z.coerce.number().int().default(63799),
  SANDBOX_PORT: z.coerce.number().int().default(4010),
  PORTICO_MASTER_KEY: z.string().optional(),
  NEXTAUTH_SECRET: z.string().optional(),
  PUBLIC_URL: z.string().optional(),
  // How many executor processes to run.
  PORTICO_EXECUTORS: z.coerce.number().int().min(1).default(1),
  // Skip `next build` even when sources look newer (the test runner builds right before).
  PORTICO_SKIP_BUILD: z.stringbool().default(false),
});

export type LauncherEnv = z.infer<typeof LauncherEnv>;

export function readLauncherEnv(): LauncherEnv {
  const raw = Object.fromEntries(
    Object.keys(LauncherEnv.shape).map((k) => [k, process.env[k] === "" ? undefined : process.env[k]]),
  );
  const parsed = LauncherEnv.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
