/**
 * node dist/tools/deploy-order/cli.js --env <env> [--dir cdktf.out] [--github-output <file>]
 *
 * Prints the order the deploy workflow applies an environment's stacks in,
 * from the synthesized manifest: AWS-only stacks (GitHub-hosted runner), then
 * in-cluster stacks (the VPC runner), and the runner's CodeBuild project. With
 * --github-output it also appends `aws_stacks`, `in_cluster_stacks` (names
 * separated by spaces), `runner_project` and `aws_region` to that file (GitHub's
 * step outputs).
 */
import * as fs from "fs";
import { readSynthOutput } from "../plan-checks/synth-output";
import { githubOutputs, planDeployment } from "./index";

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function main(argv: readonly string[]): number {
  const env = flag(argv, "--env");
  const dir = flag(argv, "--dir") ?? "cdktf.out";
  const output = flag(argv, "--github-output");
  if (!env) {
    console.error("usage: node dist/tools/deploy-order/cli.js --env <env> [--dir cdktf.out] [--github-output <file>]");
    return 2;
  }
  const plan = planDeployment(readSynthOutput(dir), env);
  console.log(`${env}: AWS-only stacks (GitHub-hosted runner), in order: ${plan.awsStacks.join(" ") || "(none)"}`);
  console.log(
    `${env}: in-cluster stacks (VPC runner ${plan.runnerProject ?? "-"}), in order: ${plan.inClusterStacks.join(" ") || "(none)"}`,
  );
  if (output) {
    const lines = Object.entries(githubOutputs(plan)).map(([k, v]) => `${k}=${v}\n`);
    fs.appendFileSync(output, lines.join(""));
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error((e as Error).message);
  process.exitCode = 1;
}
