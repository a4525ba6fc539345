import { defineConfig } from "prisma/config";

// Only `prisma generate` uses this; migrations go through scripts/migrate.ts.
export default defineConfig({
  schema: "prisma/schema.prisma",
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/portico" },
});
