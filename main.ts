import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { EnvironmentConfig, environments, findConfigProblems } from "./config";
import { formatPolicyReport } from "./constructs/policy";
import { buildEnvironment, EnvironmentStacks } from "./stacks/environment";
import { StateBackendKind } from "./stacks/kit-stack";

/**
 * The kit's synth: `npm run synth [-- --env a,b]` runs it directly
 * (`node dist/main.js`), and `cdktf synth|diff|deploy` runs it as the app
 * command of cdktf.json.
 *
 * Synth writes into a fresh directory beside the output directory and
 * replaces the output directory only when everything succeeded (synth,
 * validations, the policy pack, the policy report), so a failed synth leaves
 * the previous `cdktf.out` exactly as it was. See `replaceOutput`.
 */
export const USAGE = `usage: node dist/main.js [--env <name>[,<name>...]]   (npm run synth -- --env prod)
  --env <names>   synthesize only these environments (known: ${environments.map((e) => e.name).join(", ")}); same as KIT_ENV=<names>
  --help          this text
environment: KIT_ENV=<names>, KIT_STATE_BACKEND=s3|local, CDKTF_OUTDIR=<dir> (default cdktf.out; set by the cdktf CLI)`;

/** What the command line asked for. */
export interface SynthArgs {
  /** Environment names from `--env`, undefined when the flag was not given. */
  readonly envNames?: readonly string[];
  readonly help: boolean;
}

/** A failure the user can act on: its message is printed as is, and synth exits 1. */
export class SynthError extends Error {
  /** What synth had to say before it failed (config warnings), printed before the message. */
  lines: readonly string[] = [];
}

const knownNames = (known: readonly EnvironmentConfig[]) => known.map((e) => e.name).join(", ");

/** Parses the command line strictly: an unknown argument fails, listing the known ones. */
export function parseArgs(argv: readonly string[], known: readonly EnvironmentConfig[] = environments): SynthArgs {
  let envNames: string[] | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      help = true;
    } else if (arg === "--env" || arg.startsWith("--env=")) {
      const value = arg === "--env" ? argv[++i] : arg.slice("--env=".length);
      if (value === undefined || value.trim() === "" || value.startsWith("-")) {
        throw new SynthError(`--env needs a value: one or more of ${knownNames(known)}, comma-separated`);
      }
      envNames = [...(envNames ?? []), ...splitNames(value)];
    } else {
      throw new SynthError(`Unknown argument ${JSON.stringify(arg)}; known: --env <${known.map((e) => e.name).join("|")}>[,...], --help`);
    }
  }
  return { envNames, help };
}

function splitNames(value: string): string[] {
  return value
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n !== "");
}

/**
 * Every environment, or only those named by `--env a,b` or KIT_ENV=a,b (the
 * flag wins). Unknown names fail with the known ones; a name given twice is
 * built once.
 */
export function selectEnvironments(
  argv: readonly string[],
  envVar: string | undefined,
  known: readonly EnvironmentConfig[] = environments,
): EnvironmentConfig[] {
  const names = parseArgs(argv, known).envNames ?? (envVar !== undefined && envVar.trim() !== "" ? splitNames(envVar) : undefined);
  if (!names) return [...known];
  const unknown = names.filter((n) => !known.some((e) => e.name === n));
  if (unknown.length) {
    const list = unknown.map((n) => JSON.stringify(n)).join(", ");
    throw new SynthError(`Unknown environment${unknown.length > 1 ? "s" : ""} ${list}; known: ${knownNames(known)}`);
  }
  return known.filter((e) => names.includes(e.name));
}

export function stateBackendFrom(value: string | undefined): StateBackendKind {
  if (value === undefined || value === "" || value === "s3") return "s3";
  if (value === "local") return "local";
  throw new SynthError(`KIT_STATE_BACKEND: got ${JSON.stringify(value)}, expected "s3" (default) or "local"`);
}

/** Where synth output goes: CDKTF_OUTDIR (the cdktf CLI sets it) or `cdktf.out`, resolved against `cwd`. */
export function outputDirFrom(env: NodeJS.ProcessEnv, cwd: string): string {
  return path.resolve(cwd, env.CDKTF_OUTDIR || "cdktf.out");
}

export interface SynthOptions {
  /** Command-line arguments after the script. */
  readonly argv: readonly string[];
  /** KIT_ENV, KIT_STATE_BACKEND, CDKTF_OUTDIR and the cdktf CLI's variables. */
  readonly env: NodeJS.ProcessEnv;
  /** Resolves a relative output directory. @default process.cwd() */
  readonly cwd?: string;
}

export interface SynthResult {
  /** The output directory now holding this synth. */
  readonly outdir: string;
  /** Stack names written, as listed in the manifest. */
  readonly stacks: readonly string[];
  /** Lines for stdout: config warnings, the policy summary of each environment, what was written. */
  readonly lines: readonly string[];
}

/**
 * Validates, synthesizes and policy-checks the selected environments into a
 * temporary directory, then swaps it in as the output directory. Throws
 * SynthError (message ready to print, ending with what to do) on any failure,
 * and then the output directory is untouched and the temporary one is gone.
 * Config warnings collected before a failure are on the error (`lines`).
 */
export function synthesize(options: SynthOptions): SynthResult {
  const lines: string[] = [];
  try {
    return synthesizeInto(options, lines);
  } catch (e) {
    const error = e instanceof SynthError ? e : new SynthError(withoutSkipValidationHint(String((e as Error)?.message ?? e)));
    error.lines = lines;
    throw error;
  }
}

function synthesizeInto(options: SynthOptions, lines: string[]): SynthResult {
  const { argv, env } = options;
  const args = parseArgs(argv);
  if (args.help) return { outdir: "", stacks: [], lines: [USAGE] };
  const selected = selectEnvironments(argv, env.KIT_ENV);
  const backend = stateBackendFrom(env.KIT_STATE_BACKEND);

  // Validate every selected environment before creating a single construct.
  const problems: string[] = [];
  for (const cfg of selected) {
    // KIT_DEPLOY=1 (the deploy workflow's synth): example values in a config are errors, not warnings.
    const check = findConfigProblems(cfg, { forDeploy: env.KIT_DEPLOY === "1" });
    for (const w of check.warnings) lines.push(`warning: ${w.path}: ${w.message}`);
    try {
      check.throwIfAny(cfg.name);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const outdir = outputDirFrom(env, options.cwd ?? process.cwd());
  const shown = displayPath(outdir, options.cwd);
  if (problems.length) throw new SynthError(`${problems.join("\n")}\nsynth failed; ${shown} is unchanged.`);

  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  const staging = fs.mkdtempSync(`${outdir}.synth-`);
  let built: EnvironmentStacks[] = [];
  let stacks: string[];
  try {
    const app = new App({ outdir: staging });
    built = selected.map((cfg) => buildEnvironment(app, cfg, backend));
    app.synth();
    const manifest = readManifest(staging);
    const annotationErrors = errorAnnotations(manifest);
    if (annotationErrors.length) throw new Error(`error annotations:\n  ${annotationErrors.join("\n  ")}`);
    const report = Object.fromEntries(built.map((b) => [b.env.name, b.policy.report]));
    fs.writeFileSync(path.join(staging, "policy-report.json"), JSON.stringify(report, null, 2));
    stacks = Object.keys(manifest.stacks);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new SynthError(describeFailure(e, built, shown));
  }
  for (const b of built) lines.push(`${b.env.name} ${formatPolicyReport(b.policy.report)}`);

  // Under the cdktf CLI (which sets this variable), stack directories this synth did not produce are left
  // for the CLI: it listed them before running the app, and deletes them itself after reading the manifest
  // (failing if one is already gone).
  const keepOtherStacks = env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined;
  try {
    replaceOutput(staging, outdir, { keepOtherStacks });
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new SynthError(`synth succeeded but replacing ${shown} failed: ${(e as Error).message}`);
  }
  lines.push(`synth: ${stacks.length} stacks written to ${shown}: ${stacks.join(" ")}`);
  return { outdir, stacks, lines };
}

type Manifest = { stacks: Record<string, { annotations?: { constructPath: string; level: string; message: string }[] }> };

function readManifest(dir: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as Manifest;
}

/** Error annotations: cdktf writes them to the manifest instead of failing when the CLI runs the app. */
function errorAnnotations(manifest: Manifest): string[] {
  return Object.values(manifest.stacks).flatMap((s) =>
    (s.annotations ?? []).filter((a) => a.level === "@cdktf/error").map((a) => `[${a.constructPath}] ${a.message}`),
  );
}

/**
 * cdktf's validation errors end with "pass 'skipValidation: true' to your App
 * configuration". That would switch off the policy pack (it reports through
 * validations) with every other check, so the kit drops the hint and says
 * what to do instead.
 */
export function withoutSkipValidationHint(message: string): string {
  return message
    .split("\n")
    .filter((l) => !/skipValidation/.test(l) && !/^Validations allow for dynamic verification/.test(l.trim()))
    .join("\n")
    .trim();
}

function describeFailure(e: unknown, built: readonly EnvironmentStacks[], shown: string): string {
  const message = withoutSkipValidationHint(e instanceof Error ? e.message : String(e));
  const policyErrors = built.flatMap((b) => b.policy.report.violations.filter((v) => v.severity === "error"));
  const out = [`synth failed; ${shown} is unchanged.`, message];
  if (policyErrors.length) {
    const ids = [...new Set(policyErrors.map((v) => v.ruleId))];
    out.push(
      "",
      `${policyErrors.length} policy error${policyErrors.length > 1 ? "s" : ""} (${ids.join(", ")}). Fix the resource, or, where the rule ` +
        `does not apply, suppress it with a reason on the construct or a scope above it ` +
        `(import { suppressRule } from "./constructs/policy"; see README, Policy pack):`,
      ...ids.map((id) => `  suppressRule(construct, "${id}", "why ${id} does not apply here (at least 10 characters)");`),
    );
  }
  return out.join("\n");
}

/** Names, inside a stack's directory, of Terraform's own files (init, lock, local state): kept across synths. */
export const TERRAFORM_WORKING_FILE = /^\.terraform|\.tfstate/;

export interface ReplaceOutputOptions {
  /**
   * Keep the old output's stack directories that the new output does not have.
   * @default false (they go: the output holds exactly the stacks of this synth)
   */
  readonly keepOtherStacks?: boolean;
}

/**
 * Makes `staging` the output directory `outdir`: the old one is renamed aside,
 * the new one renamed in, and the old one deleted. Terraform's working files in
 * the old stack directories (`.terraform/`, `.terraform.lock.hcl`, local
 * `*.tfstate`) are moved into the same stack directories of the new output
 * after the swap (moving them earlier would change the live output before the
 * swap is sure); if that fails, the old tree is kept, and named in the error,
 * rather than deleted with state in it.
 */
export function replaceOutput(staging: string, outdir: string, options: ReplaceOutputOptions = {}): void {
  let aside: string | undefined;
  if (fs.existsSync(outdir)) {
    aside = `${outdir}.old-${process.pid}-${Date.now()}`;
    fs.renameSync(outdir, aside);
  }
  try {
    fs.renameSync(staging, outdir);
  } catch (e) {
    if (aside) fs.renameSync(aside, outdir);
    throw e;
  }
  if (!aside) return;
  try {
    const oldStacks = path.join(aside, "stacks");
    const newStacks = path.join(outdir, "stacks");
    for (const stack of fs.existsSync(oldStacks) ? fs.readdirSync(oldStacks) : []) {
      const from = path.join(oldStacks, stack);
      const to = path.join(newStacks, stack);
      if (!fs.statSync(from).isDirectory()) continue;
      if (!fs.existsSync(to)) {
        if (options.keepOtherStacks) {
          fs.mkdirSync(newStacks, { recursive: true });
          fs.renameSync(from, to);
        }
        continue;
      }
      for (const name of fs.readdirSync(from)) {
        if (TERRAFORM_WORKING_FILE.test(name) && !fs.existsSync(path.join(to, name)))
          fs.renameSync(path.join(from, name), path.join(to, name));
      }
    }
  } catch (e) {
    throw new Error(
      `synth: the new output is in ${outdir}, but moving Terraform's working files (.terraform, local state) over from the previous ` +
        `output failed, so the previous output was kept in ${aside}: ${(e as Error).message}`,
    );
  }
  fs.rmSync(aside, { recursive: true, force: true });
}

function displayPath(outdir: string, cwd: string | undefined): string {
  const rel = path.relative(cwd ?? process.cwd(), outdir);
  return rel && !rel.startsWith("..") ? rel : outdir;
}

/** The command: stdout only on success, so the error is the last thing a failed synth prints (also under the cdktf CLI). */
export function main(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): number {
  try {
    const result = synthesize({ argv, env });
    for (const l of result.lines) console.log(l);
    return 0;
  } catch (e) {
    if (e instanceof SynthError) for (const l of e.lines) console.error(l);
    console.error(e instanceof SynthError ? e.message : String((e as Error)?.stack ?? e));
    return 1;
  }
}

if (require.main === module) process.exitCode = main();
