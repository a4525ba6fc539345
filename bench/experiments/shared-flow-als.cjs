// What-if for docs/benchmarks.md ("the executor slows down with every run"): every
// AsyncLocalStorage that src/engine/executor/flow-context.ts creates becomes one shared
// instance, as a module-level store would be, so no per-run instance stays registered with
// async_hooks. Not engine code; preloaded into the bench's children only:
//   BENCH_CHILD_REQUIRE=bench/experiments/shared-flow-als.cjs npx tsx bench/run.ts throughput
const hooks = require("node:async_hooks");
const Original = hooks.AsyncLocalStorage;
let shared;
hooks.AsyncLocalStorage = class extends Original {
  constructor() {
    super();
    if (new Error().stack.includes("flow-context")) return (shared ??= new Original());
  }
};
