import path from "node:path";
import { build } from "esbuild";

// The worker thread's code, bundled once per process from worker-entry.ts (with its own copy of
// zod and the SDK) into one CommonJS script that `new Worker(code, { eval: true })` runs. This
// works the same under tsx (executors), vitest and any other loader, which a .ts worker file
// would not; the build takes a few hundred milliseconds, once.

/** Bundles the worker script; `inputs` are the source files it contains. */
export async function buildSandboxWorker(): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [path.join(__dirname, "worker-entry.ts")],
    bundle: true,
    write: false,
    platform: "node",
    format: "cjs",
    target: "node20",
    legalComments: "none",
    logLevel: "silent",
    metafile: true,
    // Smaller to parse: every new thread evaluates this script. Names kept for stack traces.
    minify: true,
    keepNames: true,
  });
  const code = result.outputFiles[0]?.text;
  if (!code) throw new Error("esbuild produced no sandbox worker script");
  return { code, inputs: Object.keys(result.metafile.inputs) };
}

let script: Promise<string> | undefined;

export function sandboxWorkerScript(): Promise<string> {
  script ??= buildSandboxWorker()
    .then((built) => built.code)
    .catch((err: unknown) => {
      script = undefined; // let a later run try again
      throw err;
    });
  return script;
}
