import path from "node:path";

// PORTICO_TEST_SLOT=N gives parallel developers/sessions their own servers and data folder:
// slot N owns Postgres ports 54339+10N … +9, Redis ports 63809+10N … +9 and .portico/test-N.
// The shared servers take offset 0; tests that need a server of their own (to kill it) take
// another offset, so two slots running the same test never meet.

export const TEST_SLOT = Number(process.env.PORTICO_TEST_SLOT ?? 0);

export function slotPostgresPort(offset = 0): number {
  return 54339 + TEST_SLOT * 10 + offset;
}

export function slotRedisPort(offset = 0): number {
  return 63809 + TEST_SLOT * 10 + offset;
}

/** A folder inside this slot's data folder (kept between runs, git-ignored). */
export function slotDataDir(...parts: string[]): string {
  return path.resolve(TEST_SLOT ? `.portico/test-${TEST_SLOT}` : ".portico/test", ...parts);
}
