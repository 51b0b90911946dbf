/**
 * The order a deploy applies an environment's stacks in, read from the
 * synthesized app (cdktf.out/manifest.json), and where each stack can run:
 * stacks with Kubernetes or Helm providers need the cluster's API at plan time,
 * so they run on the runner inside the VPC; the others on a GitHub-hosted one.
 */
import { resourcesOf, SynthOutput, SynthStack, TerraformJson } from "../plan-checks/synth-output";

/** Providers that talk to the cluster's API when Terraform plans. */
export const CLUSTER_PROVIDERS: readonly string[] = ["kubernetes", "helm"];

/** What a deploy of one environment runs, in order. */
export interface DeployPlan {
  /** AWS-only stacks, dependencies first: planned and applied from a GitHub-hosted runner. */
  readonly awsStacks: readonly string[];
  /** Stacks whose providers reach the cluster's API, dependencies first: planned and applied from the VPC runner. */
  readonly inClusterStacks: readonly string[];
  /**
   * CodeBuild project of the VPC runner (an AWS-only stack's project with a
   * WORKFLOW_JOB_QUEUED webhook); in-cluster jobs run on `codebuild-<this>-<run id>-<attempt>`.
   */
  readonly runnerProject?: string;
  /** The region of the environment's AWS providers (where the hosted jobs' credentials point). */
  readonly region: string;
}

/** Whether Terraform needs the cluster's API to plan this stack. */
export function reachesCluster(stack: SynthStack): boolean {
  return CLUSTER_PROVIDERS.some((p) => stack.json.provider?.[p] !== undefined);
}

/**
 * Stack names with every stack after the stacks it depends on; among stacks
 * that are ready at the same time, the manifest's order. Throws on a cycle or
 * on a dependency the output does not contain.
 */
export function deployOrder(out: SynthOutput, names: readonly string[] = [...out.stacks.keys()]): string[] {
  const wanted = new Set(names);
  for (const name of names) {
    const stack = out.stacks.get(name);
    if (!stack) throw new Error(`no stack ${JSON.stringify(name)} in ${out.dir}; it has ${[...out.stacks.keys()].join(", ")}`);
    const missing = stack.dependencies.filter((d) => !wanted.has(d));
    if (missing.length) throw new Error(`${name} depends on ${missing.join(", ")}, which the selection does not include`);
  }
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < names.length) {
    const ready = names.find((n) => !done.has(n) && out.stacks.get(n)!.dependencies.every((d) => done.has(d)));
    if (!ready) {
      const stuck = names.filter((n) => !done.has(n));
      throw new Error(`the dependencies of ${stuck.join(", ")} form a cycle`);
    }
    order.push(ready);
    done.add(ready);
  }
  return order;
}

/** Names of the stacks of one environment (`<env>-<layer>`). */
export function stacksOf(out: SynthOutput, env: string): string[] {
  return [...out.stacks.keys()].filter((n) => n.startsWith(`${env}-`));
}

/**
 * Splits one environment's stacks into the two phases a deploy runs. Throws
 * when the phases cannot work: an AWS-only stack that needs an in-cluster one
 * (it would run before it), or in-cluster stacks with no VPC runner deployed
 * before them.
 */
export function planDeployment(out: SynthOutput, env: string): DeployPlan {
  const names = stacksOf(out, env);
  if (names.length === 0) throw new Error(`no stacks of environment ${JSON.stringify(env)} in ${out.dir}`);
  const order = deployOrder(out, names);
  const inCluster = new Set(order.filter((n) => reachesCluster(out.stacks.get(n)!)));
  const awsStacks = order.filter((n) => !inCluster.has(n));
  for (const name of awsStacks) {
    const needs = dependenciesOf(out, name).filter((d) => inCluster.has(d));
    if (needs.length) {
      throw new Error(
        `${name} has no cluster providers but depends on ${needs.join(", ")}, which plan only from the VPC runner; a deploy applies every AWS-only stack first`,
      );
    }
  }
  const runners = awsStacks.flatMap((n) => runnerProjectsOf(out.stacks.get(n)!));
  if (runners.length > 1) throw new Error(`more than one VPC runner project in ${env}: ${runners.join(", ")}`);
  if (inCluster.size > 0 && runners.length === 0) {
    throw new Error(
      `${[...inCluster].join(", ")} need the cluster's API at plan time, but no AWS-only stack of ${env} has a CodeBuild project with a WORKFLOW_JOB_QUEUED webhook to run them on`,
    );
  }
  const regions = [...new Set(order.flatMap((n) => (out.stacks.get(n)!.json.provider?.aws ?? []).map((a: TerraformJson) => a.region)))];
  if (regions.length !== 1 || typeof regions[0] !== "string") {
    throw new Error(`the AWS providers of ${env} must share one literal region, got ${JSON.stringify(regions)}`);
  }
  return { awsStacks, inClusterStacks: order.filter((n) => inCluster.has(n)), runnerProject: runners[0], region: regions[0] };
}

/** Every stack `name` depends on, directly or not. */
export function dependenciesOf(out: SynthOutput, name: string): string[] {
  const seen = new Set<string>();
  const walk = (n: string) => {
    for (const d of out.stacks.get(n)?.dependencies ?? []) {
      if (!seen.has(d)) {
        seen.add(d);
        walk(d);
      }
    }
  };
  walk(name);
  return [...seen];
}

/** Names of the CodeBuild projects in a stack that a WORKFLOW_JOB_QUEUED webhook turns into GitHub runners. */
export function runnerProjectsOf(stack: SynthStack): string[] {
  const projects = resourcesOf(stack, "aws_codebuild_project");
  return resourcesOf(stack, "aws_codebuild_webhook")
    .filter((w) => hasWorkflowJobFilter(w.config))
    .map((w) => {
      const ref = String(w.config.project_name);
      const project = projects.find((p) => ref === `\${${p.address}.name}` || ref === p.config.name);
      if (!project || typeof project.config.name !== "string") {
        throw new Error(
          `${stack.name}: webhook ${w.address} names project ${ref}, which is not a project of this stack with a literal name`,
        );
      }
      return project.config.name as string;
    });
}

function hasWorkflowJobFilter(webhook: TerraformJson): boolean {
  const groups: TerraformJson[] = webhook.filter_group ?? [];
  return groups.some((g) =>
    (g.filter ?? []).some(
      (f: TerraformJson) =>
        f.type === "EVENT" &&
        String(f.pattern)
          .split(",")
          .map((s) => s.trim())
          .includes("WORKFLOW_JOB_QUEUED"),
    ),
  );
}

/** The step outputs the deploy workflow reads (`key=value` lines for $GITHUB_OUTPUT; stack names separated by spaces). */
export function githubOutputs(plan: DeployPlan): Record<string, string> {
  return {
    aws_stacks: plan.awsStacks.join(" "),
    in_cluster_stacks: plan.inClusterStacks.join(" "),
    runner_project: plan.runnerProject ?? "",
    aws_region: plan.region,
  };
}
