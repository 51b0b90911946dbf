import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { environments } from "../config";
import { reachesCluster, runnerProjectsOf } from "../tools/deploy-order";
import { readSynthOutput } from "../tools/plan-checks/synth-output";
import { CDKTF_COMMANDS, CDKTF_SUBCOMMANDS, GLOBAL_OPTIONS, matchesStackPattern, parseCdktfArgs } from "../tools/workflow-checks/cdktf-cli";
import { checkWorkflow, checkWorkflowFiles, KnownStack, WorkflowContext, workflowFiles } from "../tools/workflow-checks";
import { shellCommands } from "../tools/workflow-checks/shell";
import { synthEnvironment } from "./helpers";

/**
 * The workflows are read the way GitHub, the shell, npm, the cdktf CLI and
 * Terraform would run them, against the real synth of every environment. A
 * workflow that calls a missing script, hands the cdktf CLI arguments it
 * refuses, names stacks the synth does not produce, plans in-cluster stacks
 * from a runner that cannot reach the cluster, or applies without an approval
 * gate fails here, not in a user's first deploy.
 */
const root = path.resolve(__dirname, "..");
const workflowsDir = path.join(root, ".github", "workflows");

function synthContext(): WorkflowContext {
  const stacks = new Map<string, KnownStack>();
  const runnerProjects: string[] = [];
  for (const env of environments) {
    const out = readSynthOutput(synthEnvironment(env).outdir);
    for (const s of out.stacks.values()) {
      stacks.set(s.name, { dependencies: s.dependencies, inCluster: reachesCluster(s) });
      runnerProjects.push(...runnerProjectsOf(s));
    }
  }
  return { root, stacks, runnerProjects };
}

let ctx: WorkflowContext;
beforeAll(() => {
  ctx = synthContext();
});

const messagesOf = (yaml: string) => checkWorkflow("fixture.yml", parse(yaml), ctx).map((f) => `${f.job}: ${f.message}`);

test("every workflow under .github/workflows passes", () => {
  const files = workflowFiles(workflowsDir);
  expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(["ci.yml", "deploy.yml"]));
  expect(checkWorkflowFiles(files, ctx)).toEqual([]);
});

// (Its third defect, `cdktf` running dist/main.js that nothing built, is gone for every workflow since cdktf.json's app builds first.)
test("the deploy workflow as it was before the VPC runner is refused, for each reason it failed", () => {
  const before = fs.readFileSync(path.join(__dirname, "fixtures", "workflows", "deploy-before-runner.yml"), "utf8");
  const messages = messagesOf(before);
  expect(messages).toEqual(
    expect.arrayContaining([
      'deploy: cdktf diff "dev-*": diff takes one exact stack name, not a pattern',
      'deploy: cdktf diff "prod-*": diff takes one exact stack name, not a pattern',
      "deploy: installs whatever Terraform is newest; pin terraform_version (>= 1.10, the S3 lock file)",
      expect.stringMatching(
        /^deploy: cdktf deploy plans prod-cluster-base, .*prod-kafka-operator.* from a GitHub-hosted runner; their Kubernetes\/Helm providers need the cluster's private API/,
      ),
    ]),
  );
});

describe("what the model catches", () => {
  const job = (steps: string, extra = "") => `
on:
  workflow_dispatch:
    inputs:
      environment: { type: choice, options: [dev] }
jobs:
  j:
    runs-on: ubuntu-24.04
    environment: \${{ inputs.environment }}
${extra}    steps:
      - uses: actions/checkout@v4
${steps}`;

  test("npm scripts and files that do not exist", () => {
    expect(messagesOf(job("      - run: npm ci && npm run deploy:all && node tools/nope.js && ./scripts/nope.sh\n"))).toEqual([
      expect.stringMatching(/^j: npm script "deploy:all" does not exist in package.json/),
      "j: runs tools/nope.js, which does not exist in the repository",
      "j: runs scripts/nope.sh, which does not exist in the repository",
    ]);
  });

  test("cdktf: --auto-approve on diff, unknown subcommands, stacks the synth lacks, a subset without its dependencies", () => {
    const steps = [
      "      - uses: hashicorp/setup-terraform@v3",
      "        with: { terraform_version: 1.11.4 }",
      "      - uses: aws-actions/configure-aws-credentials@v4",
      "      - run: npm ci && npm run build",
      "      - run: npx cdktf diff dev-network --auto-approve",
      "      - run: npx cdktf plan-all",
      '      - run: npx cdktf deploy "staging-eks"',
      "      - run: npx cdktf deploy qa-network --auto-approve",
      "      - run: npx cdktf deploy dev-network dev-eks --auto-approve",
      "",
    ].join("\n");
    expect(messagesOf(job(steps))).toEqual([
      "j: cdktf diff does not accept --auto-approve",
      expect.stringMatching(/^j: cdktf plan-all: no such subcommand/),
      "j: cdktf deploy staging-eks: the CLI refuses, dependencies staging-network are not selected",
      'j: cdktf deploy "qa-network": matches no synthesized stack',
    ]);
  });

  test("--skip-synth needs cdktf.out from an earlier step, and an artifact of cdktf.out must be downloaded into cdktf.out", () => {
    const steps = [
      "      - uses: hashicorp/setup-terraform@v3",
      "        with: { terraform_version: 1.11.4 }",
      "      - uses: actions/download-artifact@v4",
      "        with: { name: cdktf-out }",
      "      - run: npx cdktf deploy dev-network --skip-synth --auto-approve",
      "",
    ].join("\n");
    const upload = `  synth:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/upload-artifact@v4
        with: { name: cdktf-out, path: cdktf.out/ }
`;
    const yaml = job(steps).replace("jobs:\n", `jobs:\n${upload}`);
    expect(messagesOf(yaml)).toEqual([
      'j: downloads cdktf-out (the contents of cdktf.out) into "."; set path: cdktf.out to get cdktf.out back',
      "j: cdktf deploy --skip-synth, but nothing earlier in the job produced or downloaded cdktf.out",
      "j: applies changes without AWS credentials (no configure-aws-credentials step, not a CodeBuild runner)",
    ]);
  });

  test("an apply needs a GitHub environment on its job or on a job before it", () => {
    const yaml = `
on: { workflow_dispatch: {} }
jobs:
  apply:
    runs-on: codebuild-dev-streaming-deploy-\${{ github.run_id }}-\${{ github.run_attempt }}
    steps:
      - uses: actions/checkout@v4
      - uses: hashicorp/setup-terraform@v3
        with: { terraform_version: "1.9.8" }
      - run: terraform -chdir=cdktf.out/stacks/dev-kafka apply -auto-approve
`;
    expect(messagesOf(yaml)).toEqual([
      "apply: terraform_version 1.9.8: the S3 backend's use_lockfile needs Terraform >= 1.10",
      "apply: terraform -chdir=cdktf.out/stacks/dev-kafka, but nothing earlier in the job produced or downloaded cdktf.out",
      "apply: applies changes, but neither this job nor a job it needs has a GitHub environment (the approval gate)",
    ]);
  });

  test("in-cluster stacks only on the VPC runner, whose label names a synthesized runner project", () => {
    const yaml = `
on: { workflow_dispatch: {} }
jobs:
  hosted:
    runs-on: ubuntu-24.04
    steps:
      - run: echo "\${{ needs.synth.outputs.in_cluster_stacks }}"
  vpc:
    runs-on: codebuild-qa-streaming-deploy-\${{ github.run_id }}-\${{ github.run_attempt }}
    steps:
      - run: echo "\${{ needs.synth.outputs.in_cluster_stacks }}"
`;
    expect(messagesOf(yaml)).toEqual([
      "hosted: hands the in-cluster stacks to a GitHub-hosted runner; their providers need the cluster's private API (run them on the VPC runner)",
      expect.stringMatching(
        /^vpc: runs-on names CodeBuild project "qa-streaming-deploy", which no synthesized stack registers as a runner/,
      ),
    ]);
  });
});

describe("the cdktf CLI model matches the installed CLI", () => {
  const cli = path.join(root, "node_modules", ".bin", "cdktf");
  const help = (args: string[]) =>
    execFileSync(cli, [...args, "--help"], {
      env: { ...process.env, CHECKPOINT_DISABLE: "1", CDKTF_DISABLE_TELEMETRY: "1" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  const longOptions = (text: string) => [...text.matchAll(/^\s+(?:-\w, )?--([a-z-]+)/gm)].map((m) => m[1]).sort();

  test("subcommands", () => {
    const text = help([]);
    const listed = [...text.matchAll(/^\s+cdktf (\w+)/gm)].map((m) => m[1]);
    const aliases = [...text.matchAll(/\[aliases: ([\w, ]+)\]/g)].flatMap((m) => m[1].split(/,\s*/));
    expect([...listed, ...aliases].sort()).toEqual([...CDKTF_SUBCOMMANDS].sort());
  });

  test.each(CDKTF_COMMANDS.filter((c) => c.name !== "get").map((c) => [c.name, c]))("%s: options and stack arguments", (name, c) => {
    const text = help([name]);
    expect(longOptions(text)).toEqual([...GLOBAL_OPTIONS, ...c.options].sort());
    const usage = text.split("\n")[0];
    const expected = { none: `cdktf ${name}`, "one-exact": `cdktf ${name} [stack]`, patterns: `cdktf ${name} [stacks` }[c.stacks];
    expect(usage.startsWith(expected)).toBe(true);
  });

  test("stack patterns match as the CLI's minimatch does", () => {
    // The CLI's own matcher (a dependency of @cdktf/cli-core), only loaded here to compare.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const minimatch = require("minimatch") as (name: string, pattern: string) => boolean;
    const names = [...ctx.stacks.keys()];
    for (const pattern of ["prod-*", "*-kafka", "dev-kafka*", "staging-?ks", "*", "[ds]*-eks", "prod"]) {
      expect(names.filter((n) => matchesStackPattern(n, pattern))).toEqual(names.filter((n) => minimatch(n, pattern)));
    }
  });

  test("arguments parse as yargs reads them", () => {
    expect(parseCdktfArgs(["deploy", "a", "b", "--auto-approve", "-o", "out", "--var=x=1"])).toEqual({
      subcommand: "deploy",
      positionals: ["a", "b"],
      options: new Map<string, string | true>([
        ["auto-approve", true],
        ["output", "out"],
        ["var", "x=1"],
      ]),
    });
  });
});

test("shell reading: operators, quotes, variables, keywords", () => {
  const cmds = shellCommands(
    [
      "set -euo pipefail  # strict",
      'for s in $STACKS; do terraform -chdir="cdktf.out/stacks/$s" plan -out=tfplan | tee "plans/$s.txt"; done',
      "if [ -n \"$X\" ]; then echo 'a && b'; fi",
      "A=1 npm run synth && node dist/tools/x.js \\",
      "  --env $KIT_ENV",
    ].join("\n"),
    { KIT_ENV: "prod" },
  ).map((c) => c.words);
  expect(cmds).toEqual([
    ["set", "-euo", "pipefail"],
    ["terraform", "-chdir=cdktf.out/stacks/$s", "plan", "-out=tfplan"],
    ["tee", "plans/$s.txt"],
    ["[", "-n", "$X", "]"],
    ["echo", "a && b"],
    ["npm", "run", "synth"],
    ["node", "dist/tools/x.js", "--env", "prod"],
  ]);
});
