import { inject } from "vitest";

// Runs in every test worker before its test files: src/lib/env.ts must parse in tests, and must
// never point at a developer's real database. Per-test databases and Redis prefixes come from
// the dbTest fixture (db-test.ts); these URLs are only the fallbacks env.ts requires.
const ctx = inject("porticoTest");
process.env.DATABASE_URL = ctx.defaultDatabaseUrl;
process.env.REDIS_URL = ctx.redisUrl;
process.env.PORTICO_DATA_DIR ??= ".portico/test";
// Fixed test-only secrets, so env.ts does not generate dev secrets into a data folder.
process.env.PORTICO_MASTER_KEY ??= Buffer.alloc(32, 7).toString("base64");
process.env.NEXTAUTH_SECRET ??= "portico-test-nextauth-secret";
process.env.LOG_LEVEL ??= "silent";
