import { parseArgs } from "node:util";
import { buildBundle, type BuiltBundle } from "@/engine/bundle/build-bundle";
import type { Manifest } from "@/engine/bundle/manifest";
import { AppError } from "@/lib/errors";
import { CliError, resolveEntryFile } from "./entry-file";
import { uploadVersion } from "./upload";

// `portico publish <dir>` and `portico validate <dir>`. The shim bin/portico.mjs runs this with
// tsx and hands over the process's argv, environment and streams; nothing here reads
// process.* itself, so tests run the CLI in-process.

export interface CliIo {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout(line: string): void;
  stderr(line: string): void;
  fetch?: typeof fetch;
}

const USAGE = `usage:
  portico publish <dir> [--changelog "…"] [--dry-run]   bundle, validate and upload a new version
  portico validate <dir>                                bundle and validate only

publish uploads to PORTICO_URL (e.g. http://localhost:3000) with PORTICO_API_KEY (Settings → API keys).`;

function describeTrigger(t: Manifest["flows"][string]["trigger"]): string {
  switch (t.type) {
    case "schedule":
      return `schedule "${t.cron}" ${t.timezoneFromConfig ? `in config.${t.timezoneFromConfig} (default ${t.timezone ?? "UTC"})` : (t.timezone ?? "UTC")}`;
    case "event":
      return `event ${t.event}`;
    default:
      return t.type;
  }
}

function summary(m: Manifest): string[] {
  const flows = Object.entries(m.flows).map(([k, f]) => `  flow ${k}: ${describeTrigger(f.trigger)}, up to ${f.retry.attempts} attempts`);
  const conns = Object.entries(m.connections).map(([k, c]) => `  connection ${k}: app "${c.app}" (${c.auth})`);
  const fields = Object.keys((m.configSchema as { properties?: object }).properties ?? {});
  return [...flows, ...conns, `  config fields: ${fields.length ? fields.join(", ") : "(none)"}`];
}

async function bundleOf(target: string, io: CliIo): Promise<{ bundle: BuiltBundle; display: string }> {
  const { file, display } = resolveEntryFile(target, io.cwd);
  try {
    return { bundle: await buildBundle(file), display };
  } catch (err) {
    // buildBundle names the file as it was given; give the builder's relative path.
    if (err instanceof AppError) throw new CliError(err.message.replaceAll(file, display));
    throw err;
  }
}

async function validate(target: string, io: CliIo): Promise<number> {
  const { bundle, display } = await bundleOf(target, io);
  io.stdout(`${display}: ${bundle.manifest.key} is valid (${Buffer.byteLength(bundle.code)} bytes, sha256 ${bundle.sha256.slice(0, 12)}…)`);
  for (const line of summary(bundle.manifest)) io.stdout(line);
  return 0;
}

async function publish(target: string, opts: { changelog?: string; dryRun: boolean }, io: CliIo): Promise<number> {
  const url = io.env.PORTICO_URL?.trim();
  const apiKey = io.env.PORTICO_API_KEY?.trim();
  if (!opts.dryRun) {
    // Checked before bundling: a missing setting should not cost a build to find out.
    const missing = [!url && "PORTICO_URL (e.g. http://localhost:3000)", !apiKey && "PORTICO_API_KEY (an API key from Settings → API keys)"].filter(Boolean);
    if (missing.length) throw new CliError(`set ${missing.join(" and ")} to publish (or use --dry-run)`);
    if (!/^https?:\/\//.test(url!)) throw new CliError(`PORTICO_URL must start with http:// or https:// (got "${url}")`);
  }
  const { bundle } = await bundleOf(target, io);
  const { key } = bundle.manifest;
  if (opts.dryRun) {
    io.stdout(`${key}: valid, ${Buffer.byteLength(bundle.code)} bytes (sha256 ${bundle.sha256.slice(0, 12)}…); dry run, nothing uploaded`);
    for (const line of summary(bundle.manifest)) io.stdout(line);
    return 0;
  }
  const result = await uploadVersion({ url: url!, apiKey: apiKey!, ...(io.fetch ? { fetch: io.fetch } : {}) }, bundle, opts.changelog);
  io.stdout(
    result.created
      ? `published ${key} version ${result.version.number} (sha256 ${result.version.sha256.slice(0, 12)}…)`
      : `${key} unchanged: already published as version ${result.version.number}`,
  );
  return 0;
}

/** Runs one CLI command; returns the exit code (0 ok, 1 anything wrong). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.stderr(`${(err as Error).message}\n\n${USAGE}`);
    return 1;
  }
  const [command, target, ...extra] = parsed.positionals;
  if (parsed.values.help || !command) {
    (command || parsed.values.help ? io.stdout : io.stderr)(USAGE);
    return parsed.values.help ? 0 : 1;
  }
  if (command !== "publish" && command !== "validate") {
    io.stderr(`unknown command "${command}"\n\n${USAGE}`);
    return 1;
  }
  if (!target || extra.length) {
    io.stderr(`${command} takes one directory${extra.length ? ` (got also: ${extra.join(" ")})` : ""}\n\n${USAGE}`);
    return 1;
  }
  try {
    if (command === "validate") return await validate(target, io);
    return await publish(target, { dryRun: parsed.values["dry-run"] ?? false, ...(parsed.values.changelog !== undefined ? { changelog: parsed.values.changelog } : {}) }, io);
  } catch (err) {
    if (err instanceof CliError) io.stderr(err.message);
    else io.stderr(`unexpected error: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      changelog: { type: "string", short: "m" },
      "dry-run": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

// Run as a program (bin/portico.mjs starts this file with tsx): the one place the CLI touches
// the process, which is the CLI's input the way env.ts is the server's.
if (typeof require !== "undefined" && require.main === module) {
  void runCli(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  }).then((code) => {
    process.exitCode = code;
  });
}
