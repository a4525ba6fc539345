import { startPostgres } from "./postgres";
const s = await startPostgres({ dataDir: ".portico/tmp-try/pg", port: 54399 });
console.log("READY", s.url);
process.on("SIGTERM", async () => { await s.stop(); process.exit(0); });
setInterval(() => {}, 1e6);
