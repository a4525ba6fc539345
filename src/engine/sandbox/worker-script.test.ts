import { expect, test } from "vitest";
import { buildSandboxWorker } from "./worker-script";

// Every sandbox thread evaluates this script: it must stay free of the engine's server-side
// dependencies (an import of the database client into worker-entry's graph would land here).
test("the sandbox worker script bundles the SDK and zod but no database, Redis, queue or HTTP client", async () => {
  const { code, inputs } = await buildSandboxWorker();
  expect(inputs).toContain("src/sdk/index.ts");
  expect(inputs.some((f) => f.startsWith("node_modules/zod/"))).toBe(true);
  const serverSide = inputs.filter((f) => /node_modules\/(@prisma|\.prisma|pg|ioredis|bullmq|undici|pino)\//.test(f) || f.startsWith("src/lib/"));
  expect(serverSide).toEqual([]);
  expect(code.length).toBeLessThan(1_000_000);
});
