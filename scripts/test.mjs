import { ensureInstalled, handOver } from "./bootstrap.mjs";
ensureInstalled();
handOver("scripts/run-tests.ts", process.argv.slice(2));
