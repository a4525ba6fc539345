import { startRedis } from "./redis-server";
const t0 = Date.now();
const r = await startRedis({ dataDir: ".portico/tmp-try/redis", port: 63899, log: (l) => console.log("LOG", Date.now() - t0, l.slice(0, 60)) });
console.log("started", Date.now() - t0, r.url);
if (process.argv[2] === "kill") process.kill(process.pid, "SIGKILL");
await r.stop(); console.log("stopped", Date.now() - t0);
