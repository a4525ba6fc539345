import { afterEach } from "vitest";
import { Procs } from "./harness";

/**
 * What a reliability test starts — child processes (`procs`) and servers or clients to close
 * (`cleanups`) — is stopped after each test: the processes first, then the cleanups, the last
 * registered first. Every cleanup runs; the first error fails the test unless told to ignore them
 * (servers a test already killed may refuse to close twice).
 */
export function stopAfterEachTest(o: { ignoreCleanupErrors?: boolean } = {}) {
  const procs = new Procs();
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await procs.stopAll();
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((err: unknown) => errors.push(err));
    if (errors.length && !o.ignoreCleanupErrors) throw errors[0];
  });
  return { procs, cleanups };
}
