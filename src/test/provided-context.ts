// What the global setup hands to every test worker (vitest `provide`/`inject`).

export interface PorticoTestContext {
  /** Superuser URL of the test server's maintenance database, for CREATE/DROP DATABASE. */
  adminUrl: string;
  /** Migrated database every test database is cloned from; nothing may stay connected to it. */
  templateDatabase: string;
  /** postgresql://…/portico on the test server: only so src/lib/env.ts parses; tests use their own. */
  defaultDatabaseUrl: string;
  redisUrl: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    porticoTest: PorticoTestContext;
  }
}
