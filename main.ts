import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { EnvironmentConfig, environmentNamed, environments, findConfigProblems } from "./config";
import { formatPolicyReport } from "./constructs/policy";
import { buildEnvironment, EnvironmentStacks } from "./stacks/environment";
import { StateBackendKind } from "./stacks/kit-stack";

/**
 * Synthesizes every environment, or only those named by `--env a,b` or
 * KIT_ENV=a,b. KIT_STATE_BACKEND=local swaps the S3 backend for local state
 * (synth and experiments without an AWS account).
 */
export function selectEnvironments(argv: readonly string[], envVar: string | undefined): EnvironmentConfig[] {
  const flag = argv.indexOf("--env");
  const names = flag >= 0 ? argv[flag + 1] : envVar;
  if (!names) return [...environments];
  return names.split(",").map((n) => environmentNamed(n.trim()));
}

export function stateBackendFrom(value: string | undefined): StateBackendKind {
  if (value === undefined || value === "" || value === "s3") return "s3";
  if (value === "local") return "local";
  throw new Error(`KIT_STATE_BACKEND: got ${JSON.stringify(value)}, expected "s3" (default) or "local"`);
}

function main(): void {
  const selected = selectEnvironments(process.argv.slice(2), process.env.KIT_ENV);
  // Validate every selected environment before creating a single construct.
  const problems: string[] = [];
  for (const env of selected) {
    // KIT_DEPLOY=1 (the deploy workflow's synth): example values in a config are errors, not warnings.
    const check = findConfigProblems(env, { forDeploy: process.env.KIT_DEPLOY === "1" });
    // stdout: the cdktf CLI labels everything on the app's stderr as [ERROR].
    for (const w of check.warnings) console.log(`warning: ${w.path}: ${w.message}`);
    try {
      check.throwIfAny(env.name);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length) {
    console.error(problems.join("\n"));
    process.exit(1);
  }

  const app = new App();
  const backend = stateBackendFrom(process.env.KIT_STATE_BACKEND);
  const built: EnvironmentStacks[] = selected.map((env) => buildEnvironment(app, env, backend));
  app.synth();

  const report = Object.fromEntries(built.map((b) => [b.env.name, b.policy.report]));
  fs.writeFileSync(path.join(app.outdir, "policy-report.json"), JSON.stringify(report, null, 2));
  for (const b of built) console.log(`${b.env.name} ${formatPolicyReport(b.policy.report)}`);
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
