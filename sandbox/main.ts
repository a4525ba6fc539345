// Thin main for `npm start` and the e2e stack: tsx sandbox/main.ts (SANDBOX_PORT, default 4010).
import { startSandbox } from "./server";

const raw = process.env.SANDBOX_PORT?.trim();
const port = raw ? Number(raw) : 4010;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`SANDBOX_PORT must be a port number, got "${raw}"`);
  process.exit(1);
}

// No top-level await: the repo is CommonJS for tsx.
startSandbox({ port }).then(
  (sandbox) => {
    console.log(`sandbox apps listening on ${sandbox.url}`);
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        sandbox.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      });
    }
  },
  (err: unknown) => {
    console.error("sandbox apps failed to start:", err);
    process.exit(1);
  },
);
