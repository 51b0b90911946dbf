import { environments } from "../config";
import { dev } from "../config/dev";
import { clusterReachableFromCi } from "../tools/plan-checks/checks/cluster-reachable-from-ci";
import { inClusterStacksAwsFree } from "../tools/plan-checks/checks/in-cluster-stacks-aws-free";
import { readSynthOutput, SynthOutput, TerraformJson } from "../tools/plan-checks/synth-output";
import { synthEnvironment } from "./helpers";

/**
 * CLUSTER_REACHABLE_FROM_CI on the real synth: the Kubernetes and Helm
 * providers of every in-cluster stack need a runner inside the VPC with access
 * to the cluster. Each way of breaking the runner is shown to be found.
 */
const synthOf = (env = dev): SynthOutput => readSynthOutput(synthEnvironment(env).outdir);

/** A copy of `out` with `edit` applied to one stack's Terraform JSON. */
function edited(out: SynthOutput, stack: string, edit: (json: TerraformJson) => void): SynthOutput {
  const stacks = new Map(out.stacks);
  const json = structuredClone(out.stacks.get(stack)!.json);
  edit(json);
  stacks.set(stack, { ...out.stacks.get(stack)!, json });
  return { dir: out.dir, stacks };
}
const messages = (out: SynthOutput) => clusterReachableFromCi.run(out).map((f) => `${f.stack} ${f.address}: ${f.message}`);
const only = <T>(record: Record<string, T>): T => Object.values(record)[0];

test.each(environments.map((e) => [e.name, e]))("%s: every in-cluster stack can be planned from the VPC runner", (_name, env) => {
  expect(messages(synthOf(env))).toEqual([]);
});

test("without the runner stack, every cluster provider is unreachable from CI", () => {
  const out = synthOf();
  const stacks = new Map([...out.stacks].filter(([n]) => n !== "dev-ci-runner"));
  for (const [n, s] of stacks) stacks.set(n, { ...s, dependencies: s.dependencies.filter((d) => d !== "dev-ci-runner") });
  const found = messages({ dir: out.dir, stacks });
  const inCluster = [...stacks.values()].filter((s) => s.json.provider?.kubernetes).map((s) => s.name);
  expect(found).toHaveLength(inCluster.length * 2);
  expect(found).toContain(
    "dev-cluster-base provider.kubernetes: no stack this one depends on runs a GitHub Actions runner inside the VPC with access to dev-eks/aws_eks_cluster.cluster_A4C38409; a GitHub-hosted runner cannot plan it",
  );
});

test.each([
  [
    "no access policy association",
    (j: TerraformJson) => delete j.resource.aws_eks_access_policy_association,
    "has no access policy association (the principal can authenticate but do nothing)",
  ],
  [
    "no webhook",
    (j: TerraformJson) => delete j.resource.aws_codebuild_webhook,
    "has no webhook on WORKFLOW_JOB_QUEUED (it is not a GitHub Actions runner)",
  ],
  [
    "outside the VPC",
    (j: TerraformJson) => delete only<TerraformJson>(j.resource.aws_codebuild_project).vpc_config,
    "runs outside the VPC (no vpc_config)",
  ],
  [
    "in the public subnets",
    (j: TerraformJson) => {
      const p = only<TerraformJson>(j.resource.aws_codebuild_project);
      p.vpc_config.subnets = p.vpc_config.subnets.map((s: string) => s.replace("private-", "public-"));
    },
    "runs in subnets that are not the cluster's",
  ],
  [
    "no HTTPS egress",
    (j: TerraformJson) => Object.assign(only<TerraformJson>(j.resource.aws_vpc_security_group_egress_rule), { from_port: 80, to_port: 80 }),
    "allow no egress to port 443",
  ],
])("a runner with %s is found", (_label, edit, expected) => {
  const found = messages(edited(synthOf(), "dev-ci-runner", edit as (j: TerraformJson) => void));
  expect(found.length).toBeGreaterThan(0);
  for (const f of found) expect(f).toContain(expected);
});

test("a cluster without its private endpoint is found (the runner would have nothing to reach)", () => {
  const out = edited(
    synthOf(),
    "dev-eks",
    (j) => (only<TerraformJson>(j.resource.aws_eks_cluster).vpc_config.endpoint_private_access = false),
  );
  expect(messages(out)).toContain(
    "dev-cluster-base provider.kubernetes: dev-eks/aws_eks_cluster.cluster_A4C38409 has no private endpoint, which is the one a runner inside the VPC uses",
  );
});

describe("IN_CLUSTER_STACKS_AWS_FREE: the VPC runner's role cannot create or read AWS resources", () => {
  const found = (out: SynthOutput) => inClusterStacksAwsFree.run(out).map((f) => `${f.stack} ${f.address}: ${f.message}`);

  test.each(environments.map((e) => [e.name, e]))("%s: no AWS resources in the in-cluster stacks", (_name, env) => {
    expect(found(synthOf(env))).toEqual([]);
  });

  test("an IAM role or an AWS lookup in an in-cluster stack is found; permissionless data sources are not", () => {
    const out = edited(synthOf(), "dev-kafka", (j) => {
      j.resource.aws_iam_role = { irsa: { name: "x", assume_role_policy: "{}" } };
      j.data.aws_caller_identity = { me: {} };
      j.data.aws_eks_cluster = { c: { name: "dev-streaming" } };
    });
    expect(found(out)).toEqual([
      "dev-kafka aws_iam_role.irsa: aws_iam_role in a stack the VPC runner applies; create it in an AWS-only stack (the deploy role applies those) and pass it in",
      "dev-kafka data.aws_eks_cluster.c: data source aws_eks_cluster in a stack the VPC runner plans; its role cannot read it. Pass the value from an AWS-only stack instead",
    ]);
  });
});
