/**
 * Checks the GitHub Actions workflows against what the repository, npm, the
 * cdktf CLI, Terraform and the runners would do with them, without running
 * them: every `run:` step is read as shell, npm scripts and repository scripts
 * are followed, and each job keeps track of what its earlier steps left on the
 * runner (dependencies, dist/, cdktf.out, terraform, AWS credentials).
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { cdktfCommand, CDKTF_SUBCOMMANDS, GLOBAL_OPTIONS, matchesStackPattern, parseCdktfArgs } from "./cdktf-cli";
import { shellCommands } from "./shell";

/** A synthesized stack, as far as the workflow checks need it. */
export interface KnownStack {
  readonly dependencies: readonly string[];
  /** Its providers talk to the cluster's API at plan time (kubernetes or helm). */
  readonly inCluster: boolean;
}

/** What the workflows are checked against. */
export interface WorkflowContext {
  /** Repository root (package.json, cdktf.json, the scripts). */
  readonly root: string;
  /** Every stack the synth produces, for every environment. */
  readonly stacks: ReadonlyMap<string, KnownStack>;
  /** CodeBuild projects the synth registers as GitHub Actions runners. */
  readonly runnerProjects: readonly string[];
}

export interface WorkflowFinding {
  readonly file: string;
  readonly job: string;
  /** Step name (or its first line). */
  readonly step?: string;
  readonly message: string;
}

/** Terraform before 1.10 has no S3 lock files (`use_lockfile`), which every stack's backend sets. */
export const MIN_TERRAFORM = [1, 10] as const;

const RUNS_ON_CODEBUILD = /^codebuild-(.+)-\$\{\{\s*github\.run_id\s*\}\}-\$\{\{\s*github\.run_attempt\s*\}\}$/;

// The workflow YAML is untyped by nature.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Yaml = any;

/** What earlier steps of a job left behind. */
interface JobState {
  checkedOut: boolean;
  dependencies: boolean;
  built: boolean;
  synthesized: boolean;
  terraform?: string;
  awsCredentials: boolean;
  applies: boolean;
}

/** Every workflow file under `dir` (.yml and .yaml). */
export function workflowFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Checks every workflow file; [] when all of them would do what they say. */
export function checkWorkflowFiles(files: readonly string[], ctx: WorkflowContext): WorkflowFinding[] {
  return files.flatMap((f) => checkWorkflow(path.relative(ctx.root, f), parse(fs.readFileSync(f, "utf8")), ctx));
}

/** Checks one parsed workflow, once for every combination of its dispatch inputs' options. */
export function checkWorkflow(file: string, wf: Yaml, ctx: WorkflowContext): WorkflowFinding[] {
  const findings = new Map<string, WorkflowFinding>();
  const jobs: Record<string, Yaml> = wf?.jobs ?? {};
  const uploads = artifactUploads(jobs);
  for (const inputs of inputCombinations(wf)) {
    for (const [jobId, job] of Object.entries(jobs)) {
      for (const f of checkJob(file, jobId, job, jobs, wf, inputs, uploads, ctx)) {
        findings.set(`${f.job}|${f.step}|${f.message}`, f);
      }
    }
  }
  return [...findings.values()];
}

/** Every combination of the choice inputs of workflow_dispatch / workflow_call (one empty combination if none). */
export function inputCombinations(wf: Yaml): Record<string, string>[] {
  const on = wf?.on ?? wf?.true ?? {};
  const inputs: Record<string, Yaml> = { ...(on?.workflow_dispatch?.inputs ?? {}), ...(on?.workflow_call?.inputs ?? {}) };
  let combos: Record<string, string>[] = [{}];
  for (const [name, spec] of Object.entries(inputs)) {
    const values: string[] = Array.isArray(spec?.options)
      ? spec.options.map(String)
      : spec?.default !== undefined
        ? [String(spec.default)]
        : [];
    if (values.length === 0) continue;
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  }
  return combos;
}

/** Replaces `${{ inputs.x }}` and `${{ github.event.inputs.x }}`; other expressions stay (they are dynamic). */
export function substituteInputs(text: string, inputs: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{\{\s*(?:github\.event\.)?inputs\.([A-Za-z0-9_-]+)\s*\}\}/g, (m, name: string) => inputs[name] ?? m);
}

/** Artifact name -> the path it was uploaded from. */
function artifactUploads(jobs: Record<string, Yaml>): Map<string, string> {
  const uploads = new Map<string, string>();
  for (const job of Object.values(jobs)) {
    for (const step of job?.steps ?? []) {
      if (typeof step?.uses === "string" && step.uses.startsWith("actions/upload-artifact")) {
        uploads.set(String(step.with?.name ?? "artifact"), String(step.with?.path ?? "").trim());
      }
    }
  }
  return uploads;
}

function runsOnLabels(job: Yaml): string[] {
  const r = job?.["runs-on"];
  if (Array.isArray(r)) return r.map(String);
  if (r && typeof r === "object") return (Array.isArray(r.labels) ? r.labels : [r.labels]).filter(Boolean).map(String);
  return r === undefined ? [] : [String(r)];
}

/** Jobs `jobId` waits for, directly or not. */
function ancestors(jobId: string, jobs: Record<string, Yaml>, seen = new Set<string>()): Set<string> {
  const needs = jobs[jobId]?.needs;
  for (const n of Array.isArray(needs) ? needs : needs ? [needs] : []) {
    if (!seen.has(n)) {
      seen.add(n);
      ancestors(n, jobs, seen);
    }
  }
  return seen;
}

function checkJob(
  file: string,
  jobId: string,
  job: Yaml,
  jobs: Record<string, Yaml>,
  wf: Yaml,
  inputs: Readonly<Record<string, string>>,
  uploads: ReadonlyMap<string, string>,
  ctx: WorkflowContext,
): WorkflowFinding[] {
  const findings: WorkflowFinding[] = [];
  const add = (message: string, step?: string) => findings.push({ file, job: jobId, step, message });
  const labels = runsOnLabels(job).map((l) => substituteInputs(l, inputs));
  const codebuild = labels.length > 0 && labels[0].startsWith("codebuild-");
  if (codebuild) {
    const m = RUNS_ON_CODEBUILD.exec(labels[0]);
    if (!m) {
      add(
        `runs-on ${JSON.stringify(labels[0])}: a CodeBuild runner label is codebuild-<project>-\${{ github.run_id }}-\${{ github.run_attempt }}`,
      );
    } else if (!m[1].includes("${{") && !ctx.runnerProjects.includes(m[1])) {
      add(
        `runs-on names CodeBuild project ${JSON.stringify(m[1])}, which no synthesized stack registers as a runner (${ctx.runnerProjects.join(", ")})`,
      );
    }
  }
  const state: JobState = {
    checkedOut: false,
    dependencies: false,
    built: false,
    synthesized: false,
    awsCredentials: codebuild, // a CodeBuild runner's build runs with the project's service role
    applies: false,
  };
  const baseEnv = { ...stringMap(wf?.env, inputs), ...stringMap(job?.env, inputs) };
  for (const [i, step] of (job?.steps ?? []).entries()) {
    const label = String(step?.name ?? step?.uses ?? String(step?.run ?? "").split("\n")[0] ?? `step ${i + 1}`);
    const stepAdd = (message: string) => add(message, label);
    if (typeof step?.uses === "string") {
      useAction(step, state, uploads, stepAdd);
      continue;
    }
    if (typeof step?.run !== "string") continue;
    const env = { ...baseEnv, ...stringMap(step.env, inputs) };
    const script = substituteInputs(step.run, inputs);
    if (/outputs\.in_cluster_stacks/.test(`${script}\n${JSON.stringify(step.env ?? {})}`) && !codebuild) {
      stepAdd(
        "hands the in-cluster stacks to a GitHub-hosted runner; their providers need the cluster's private API (run them on the VPC runner)",
      );
    }
    for (const cmd of shellCommands(script, env)) runCommand(cmd.words, state, { ctx, env, codebuild, add: stepAdd, depth: 0 });
  }
  if (state.applies) {
    const gated = [jobId, ...ancestors(jobId, jobs)].some((j) => jobs[j]?.environment !== undefined);
    if (!gated) add("applies changes, but neither this job nor a job it needs has a GitHub environment (the approval gate)");
    if (!state.awsCredentials) add("applies changes without AWS credentials (no configure-aws-credentials step, not a CodeBuild runner)");
  }
  return findings;
}

function stringMap(obj: Yaml, inputs: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj ?? {})) out[k] = substituteInputs(String(v), inputs);
  return out;
}

function useAction(step: Yaml, state: JobState, uploads: ReadonlyMap<string, string>, add: (m: string) => void): void {
  const [action] = String(step.uses).split("@");
  const w = step.with ?? {};
  if (action === "actions/checkout") state.checkedOut = true;
  if (action === "aws-actions/configure-aws-credentials") state.awsCredentials = true;
  if (action === "hashicorp/setup-terraform") {
    const version = w.terraform_version === undefined ? undefined : String(w.terraform_version);
    state.terraform = version ?? "latest";
    if (version === undefined)
      add(`installs whatever Terraform is newest; pin terraform_version (>= ${MIN_TERRAFORM.join(".")}, the S3 lock file)`);
    else if (!versionAtLeast(version, MIN_TERRAFORM)) {
      add(`terraform_version ${version}: the S3 backend's use_lockfile needs Terraform >= ${MIN_TERRAFORM.join(".")}`);
    }
  }
  if (action === "actions/download-artifact") {
    const uploadedFrom = uploads.get(String(w.name));
    const into = String(w.path ?? ".").replace(/\/$/, "");
    if (uploadedFrom !== undefined && uploadedFrom.replace(/\/$/, "") === "cdktf.out") {
      // upload-artifact stores a directory's contents; they land in `path`, not in a folder named after it.
      if (into === "cdktf.out") state.synthesized = true;
      else add(`downloads ${w.name} (the contents of cdktf.out) into ${JSON.stringify(into)}; set path: cdktf.out to get cdktf.out back`);
    }
  }
}

/** `1.11.4` >= [1, 10]; a range such as `~1.11` is read by its first version. */
function versionAtLeast(version: string, min: readonly [number, number]): boolean {
  const m = /(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > min[0] || (major === min[0] && minor >= min[1]);
}

interface RunContext {
  readonly ctx: WorkflowContext;
  readonly env: Readonly<Record<string, string>>;
  readonly codebuild: boolean;
  readonly add: (message: string) => void;
  readonly depth: number;
}

const isDynamic = (w: string) => w.includes("$");

/** One command of a step (or of a script it runs), and what it needs and leaves behind. */
function runCommand(words: readonly string[], state: JobState, rc: RunContext): void {
  if (rc.depth > 5 || words.length === 0) return;
  const [cmd, ...args] = words;
  const root = rc.ctx.root;
  const repoFile = (file: string, how: string): boolean => {
    if (isDynamic(file)) return false;
    if (!state.checkedOut) rc.add(`${how} ${file}, but the job has not checked out the repository`);
    if (!fs.existsSync(path.join(root, file))) {
      rc.add(`${how} ${file}, which does not exist in the repository`);
      return false;
    }
    return true;
  };
  const followScript = (file: string) => {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    for (const c of shellCommands(text, {})) runCommand(c.words, state, { ...rc, depth: rc.depth + 1 });
  };
  switch (path.basename(cmd)) {
    case "npm":
      return runNpm(args, state, rc);
    case "npx":
      return runCommand(
        args.filter((a, i) => !(i === 0 && /^(-y|--yes|--no-install|--no)$/.test(a))),
        state,
        rc,
      );
    case "tsc":
      if (!args.includes("--noEmit")) state.built = true;
      return;
    case "node": {
      const file = args.find((a) => !a.startsWith("-"));
      if (!file || isDynamic(file)) return;
      if (file.startsWith("dist/")) {
        const source = file.replace(/^dist\//, "").replace(/\.js$/, ".ts");
        if (!fs.existsSync(path.join(root, source))) rc.add(`runs ${file}, but no ${source} compiles to it`);
        if (!state.built) rc.add(`runs ${file}, but nothing earlier in the job built dist/ (npm run build, or a script that does)`);
        if (file === "dist/main.js") state.synthesized = true;
      } else repoFile(file, "runs");
      return;
    }
    case "bash":
    case "sh": {
      const file = args.find((a) => !a.startsWith("-"));
      if (file && repoFile(file, "runs")) followScript(file);
      return;
    }
    case "cdktf":
      return runCdktf(args, state, rc);
    case "terraform":
      return runTerraform(args, state, rc);
    default:
      if (cmd.startsWith("./") || cmd.startsWith("scripts/")) {
        const file = cmd.replace(/^\.\//, "");
        if (repoFile(file, "runs")) {
          if ((fs.statSync(path.join(root, file)).mode & 0o111) === 0) rc.add(`runs ${file} directly, but it is not executable`);
          followScript(file);
        }
      }
  }
}

function runNpm(args: readonly string[], state: JobState, rc: RunContext): void {
  const [sub, ...rest] = args;
  if (sub === "ci" || sub === "install" || sub === "i") {
    state.dependencies = true;
    return;
  }
  const aliases: Record<string, string> = { test: "test", t: "test", tst: "test", start: "start", stop: "stop", restart: "restart" };
  let script: string | undefined;
  if (sub === "run" || sub === "run-script") script = rest.find((a) => !a.startsWith("-"));
  else if (sub && aliases[sub]) script = aliases[sub];
  if (!script) return;
  if (isDynamic(script)) return;
  const pkg = JSON.parse(fs.readFileSync(path.join(rc.ctx.root, "package.json"), "utf8"));
  const body: string | undefined = pkg.scripts?.[script];
  if (body === undefined) {
    rc.add(`npm script ${JSON.stringify(script)} does not exist in package.json (it has ${Object.keys(pkg.scripts ?? {}).join(", ")})`);
    return;
  }
  if (!state.dependencies) rc.add(`runs npm script ${JSON.stringify(script)} before npm ci installed the dependencies`);
  for (const c of shellCommands(body, rc.env)) runCommand(c.words, state, { ...rc, depth: rc.depth + 1 });
}

function runCdktf(args: readonly string[], state: JobState, rc: RunContext): void {
  const inv = parseCdktfArgs(args);
  const sub = inv.subcommand;
  if (!sub || !CDKTF_SUBCOMMANDS.includes(sub)) {
    rc.add(`cdktf ${sub ?? ""}: no such subcommand (it has ${CDKTF_SUBCOMMANDS.join(", ")})`);
    return;
  }
  const model = cdktfCommand(sub);
  if (!model) return;
  for (const option of inv.options.keys()) {
    if (!GLOBAL_OPTIONS.includes(option) && !model.options.includes(option)) rc.add(`cdktf ${sub} does not accept --${option}`);
  }
  const skipSynth = inv.options.has("skip-synth");
  if (model.synthesizes && !skipSynth) {
    // The CLI runs cdktf.json's app, e.g. `node dist/main.js`: dist/ must exist.
    const app = JSON.parse(fs.readFileSync(path.join(rc.ctx.root, "cdktf.json"), "utf8")).app as string;
    for (const c of shellCommands(app, rc.env)) runCommand(c.words, state, { ...rc, depth: rc.depth + 1 });
  } else if (skipSynth && !state.synthesized) {
    rc.add(`cdktf ${sub} --skip-synth, but nothing earlier in the job produced or downloaded cdktf.out`);
  }
  if (model.name === "synth") state.synthesized = true;
  const stacks = rc.ctx.stacks;
  const names = [...stacks.keys()];
  let selected: string[] = [];
  if (model.stacks === "none" && inv.positionals.length) rc.add(`cdktf ${sub} takes no stack arguments, got ${inv.positionals.join(" ")}`);
  if (model.stacks === "one-exact") {
    if (inv.positionals.length !== 1) {
      rc.add(`cdktf ${sub} takes exactly one stack name (the app has ${names.length} stacks), got ${inv.positionals.length}`);
    } else {
      const [name] = inv.positionals;
      if (isDynamic(name)) rc.add(`cdktf ${sub} ${name}: a stack name that cannot be checked before the run`);
      else if (/[*?[]/.test(name)) rc.add(`cdktf ${sub} ${JSON.stringify(name)}: ${sub} takes one exact stack name, not a pattern`);
      else if (!stacks.has(name)) rc.add(`cdktf ${sub} ${name}: no such stack; the synth produces ${names.join(", ")}`);
      else selected = [name];
    }
  }
  if (model.stacks === "patterns") {
    if (inv.positionals.length === 0) rc.add(`cdktf ${sub} needs stack names or patterns (the app has ${names.length} stacks)`);
    for (const pattern of inv.positionals) {
      if (isDynamic(pattern)) {
        rc.add(`cdktf ${sub} ${pattern}: a stack pattern that cannot be checked before the run`);
        continue;
      }
      const matched = names.filter((n) => matchesStackPattern(n, pattern));
      if (matched.length === 0) rc.add(`cdktf ${sub} ${JSON.stringify(pattern)}: matches no synthesized stack`);
      selected.push(...matched);
    }
    if (model.needsDependencies === "dependencies" && !inv.options.has("ignore-missing-stack-dependencies")) {
      const missing = [...new Set(selected.flatMap((s) => stacks.get(s)!.dependencies))].filter((d) => !selected.includes(d));
      if (missing.length)
        rc.add(`cdktf ${sub} ${inv.positionals.join(" ")}: the CLI refuses, dependencies ${missing.join(", ")} are not selected`);
    }
  }
  if (["diff", "deploy", "destroy"].includes(model.name)) {
    if (!state.terraform) rc.add(`cdktf ${sub} runs terraform, but the job installs no pinned Terraform (hashicorp/setup-terraform)`);
    const inCluster = selected.filter((s) => stacks.get(s)!.inCluster);
    if (inCluster.length && !rc.codebuild) {
      rc.add(
        `cdktf ${sub} plans ${inCluster.join(", ")} from a GitHub-hosted runner; their Kubernetes/Helm providers need the cluster's private API (run them on the VPC runner)`,
      );
    }
  }
  if (model.name === "deploy" || model.name === "destroy") state.applies = true;
}

function runTerraform(args: readonly string[], state: JobState, rc: RunContext): void {
  if (!state.terraform) rc.add("runs terraform, but the job installs no pinned Terraform (hashicorp/setup-terraform)");
  const chdir = args.find((a) => a.startsWith("-chdir="))?.slice("-chdir=".length);
  const sub = args.find((a) => !a.startsWith("-"));
  if (chdir && !isDynamic(chdir)) {
    const m = /^(?:\.\/)?cdktf\.out\/stacks\/([^/]+)\/?$/.exec(chdir);
    if (m && !rc.ctx.stacks.has(m[1])) rc.add(`terraform -chdir=${chdir}: the synth produces no stack ${m[1]}`);
    if (m && !state.synthesized) rc.add(`terraform -chdir=${chdir}, but nothing earlier in the job produced or downloaded cdktf.out`);
    if (m && rc.ctx.stacks.get(m[1])?.inCluster && !rc.codebuild) {
      rc.add(`terraform plans ${m[1]} from a GitHub-hosted runner; its Kubernetes/Helm providers need the cluster's private API`);
    }
  }
  if (sub === "apply" || sub === "destroy") state.applies = true;
}
