import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { environments } from "../config";
import { ciRunnerProjectNameOf, DEPLOY_WORKFLOW_NAME } from "../domain/names";
import { deployOrder, githubOutputs, planDeployment, reachesCluster } from "../tools/deploy-order";
import { readSynthOutput, SynthOutput, SynthStack, TerraformJson } from "../tools/plan-checks/synth-output";
import { resources, synthEnvironment } from "./helpers";

/** A synthesized app of hand-made stacks: name -> [dependencies, terraform json]. */
function fakeOutput(stacks: Record<string, [string[], TerraformJson]>): SynthOutput {
  const map = new Map<string, SynthStack>();
  for (const [name, [dependencies, json]] of Object.entries(stacks)) map.set(name, { name, dependencies, json });
  return { dir: "fake", stacks: map };
}
const aws = { provider: { aws: [{ region: "eu-west-1" }] } };
const inCluster = { provider: { aws: [{ region: "eu-west-1" }], kubernetes: [{}] } };
const runner = {
  ...aws,
  resource: {
    aws_codebuild_project: { p: { name: "x-deploy" } },
    aws_codebuild_webhook: {
      w: {
        project_name: "${aws_codebuild_project.p.name}",
        filter_group: [{ filter: [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }] }],
      },
    },
  },
};

describe.each(environments.map((e) => [e.name, e]))("%s: the deploy order from the synthesized manifest", (name, env) => {
  const { outdir } = synthEnvironment(env);
  const out = readSynthOutput(outdir);
  const plan = planDeployment(out, name);

  test("AWS-only stacks from a hosted runner, then the in-cluster stacks from the VPC runner", () => {
    expect(plan.awsStacks).toEqual([`${name}-network`, `${name}-eks`, `${name}-ci-runner`]);
    expect(new Set(plan.inClusterStacks)).toEqual(new Set([...out.stacks.values()].filter((s) => reachesCluster(s)).map((s) => s.name)));
    expect(plan.inClusterStacks[0]).toBe(`${name}-cluster-base`);
    expect(plan.runnerProject).toBe(ciRunnerProjectNameOf(name));
    expect(plan.region).toBe(env.region);
  });

  test("every stack comes after every stack it depends on", () => {
    const order = [...plan.awsStacks, ...plan.inClusterStacks];
    expect(new Set(order)).toEqual(new Set(out.stacks.keys()));
    for (const s of out.stacks.values()) {
      for (const d of s.dependencies) expect(order.indexOf(d)).toBeLessThan(order.indexOf(s.name));
    }
  });

  test("every in-cluster stack depends on the runner stack (its access entry authenticates the providers)", () => {
    for (const s of plan.inClusterStacks) expect(out.stacks.get(s)!.dependencies).toContain(`${name}-ci-runner`);
  });
});

describe("refusals", () => {
  test("a cycle", () => {
    const out = fakeOutput({ a: [["b"], aws], b: [["a"], aws] });
    expect(() => deployOrder(out)).toThrow("the dependencies of a, b form a cycle");
  });

  test("an AWS-only stack that needs an in-cluster one (the hosted phase runs first)", () => {
    const out = fakeOutput({ "x-runner": [[], runner], "x-k8s": [["x-runner"], inCluster], "x-dns": [["x-k8s"], aws] });
    expect(() => planDeployment(out, "x")).toThrow(
      "x-dns has no cluster providers but depends on x-k8s, which plan only from the VPC runner; a deploy applies every AWS-only stack first",
    );
  });

  test("in-cluster stacks and no VPC runner to plan them from", () => {
    const out = fakeOutput({ "x-eks": [[], aws], "x-k8s": [["x-eks"], inCluster] });
    expect(() => planDeployment(out, "x")).toThrow(
      "x-k8s need the cluster's API at plan time, but no AWS-only stack of x has a CodeBuild project with a WORKFLOW_JOB_QUEUED webhook",
    );
  });

  test("a selection missing a dependency", () => {
    const out = fakeOutput({ "x-eks": [[], aws], "x-runner": [["x-eks"], runner] });
    expect(() => deployOrder(out, ["x-runner"])).toThrow("x-runner depends on x-eks, which the selection does not include");
  });
});

test("the step outputs the CLI writes", () => {
  const out = fakeOutput({ "x-net": [[], aws], "x-runner": [["x-net"], runner], "x-k8s": [["x-runner"], inCluster] });
  expect(githubOutputs(planDeployment(out, "x"))).toEqual({
    aws_stacks: "x-net x-runner",
    in_cluster_stacks: "x-k8s",
    runner_project: "x-deploy",
    aws_region: "eu-west-1",
  });
});

describe("the deploy workflow and the synth agree", () => {
  const wf = parse(fs.readFileSync(path.join(__dirname, "..", ".github", "workflows", "deploy.yml"), "utf8"));

  test("its environment choices are the shipped environments", () => {
    expect(wf.on.workflow_dispatch.inputs.environment.options).toEqual(environments.map((e) => e.name));
  });

  test("the synth job publishes every output the deploy-order CLI writes, and the jobs read them", () => {
    const fake = fakeOutput({ "x-net": [[], aws], "x-runner": [["x-net"], runner], "x-k8s": [["x-runner"], inCluster] });
    const keys = Object.keys(githubOutputs(planDeployment(fake, "x")));
    expect(Object.keys(wf.jobs.synth.outputs).sort()).toEqual([...keys].sort());
    for (const k of keys) expect(wf.jobs.synth.outputs[k]).toBe(`\${{ steps.order.outputs.${k} }}`);
    expect(wf.jobs["in-cluster"]["runs-on"]).toBe(
      "codebuild-${{ needs.synth.outputs.runner_project }}-${{ github.run_id }}-${{ github.run_attempt }}",
    );
    expect(wf.jobs["in-cluster"].needs).toEqual(["synth", "aws-stacks"]);
    expect(wf.jobs["aws-stacks"].environment).toBe("${{ inputs.environment }}");
  });

  test.each(environments.map((e) => [e.name, e]))("%s: the runner's webhook takes the jobs of this workflow", (_name, env) => {
    expect(wf.name).toBe(DEPLOY_WORKFLOW_NAME);
    const { out } = synthEnvironment(env);
    const [webhook] = resources(out["ci-runner"], "aws_codebuild_webhook");
    const byName = webhook.filter_group[0].filter.find((f: TerraformJson) => f.type === "WORKFLOW_NAME");
    expect(new RegExp(byName.pattern).test(wf.name)).toBe(true);
  });
});
