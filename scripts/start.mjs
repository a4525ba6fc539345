import { ensureInstalled, handOver } from "./bootstrap.mjs";
ensureInstalled();
handOver("scripts/supervisor.ts", process.argv.slice(2));
