import { describe, expect, test } from "vitest";
import { EnvError, parseEnv } from "./env";

const base = {
  DATABASE_URL: "postgresql://localhost/portico",
  REDIS_URL: "redis://localhost:6379",
  PORTICO_MASTER_KEY: Buffer.alloc(32, 1).toString("base64"),
  NEXTAUTH_SECRET: "x".repeat(32),
};

describe("env", () => {
  test("the sandbox memory ceiling defaults to 256 MB and is read from EXECUTOR_MEMORY_MB", () => {
    expect(parseEnv(base).EXECUTOR_MEMORY_MB).toBe(256);
    expect(parseEnv({ ...base, EXECUTOR_MEMORY_MB: "512" }).EXECUTOR_MEMORY_MB).toBe(512);
  });

  test("a memory ceiling below 16 MB is refused, naming the variable", () => {
    expect(() => parseEnv({ ...base, EXECUTOR_MEMORY_MB: "8" })).toThrow(EnvError);
    expect(() => parseEnv({ ...base, EXECUTOR_MEMORY_MB: "8" })).toThrow(/EXECUTOR_MEMORY_MB/);
  });
});
