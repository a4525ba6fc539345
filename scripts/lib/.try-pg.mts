import { startPostgres } from "/work/main/scripts/lib/postgres";
import pg from "pg";
const t0 = Date.now();
const s = await startPostgres({ dataDir: ".portico/tmp-try/pg", port: 54399, log: (l) => console.log("LOG", l.slice(0, 120)) });
console.log("started", Date.now() - t0, s.url);
const c = new pg.Client(s.url); await c.connect(); console.log((await c.query("select version()")).rows[0]); await c.end();
if (process.argv[2] === "kill") { console.log("pid", process.pid); process.kill(process.pid, "SIGKILL"); }
await s.stop(); console.log("stopped", Date.now() - t0);
