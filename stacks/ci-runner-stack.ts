import { Construct } from "constructs";
import { VpcGithubRunner } from "../constructs/ci/vpc-github-runner";
import { IEksCluster } from "../constructs/eks/eks-cluster";
import { INetwork } from "../constructs/network/network";
import { ciRunnerProjectNameOf, DEPLOY_WORKFLOW_NAME, stackNameOf } from "../domain/names";
import { addOutput, KitStack, LayerStackProps } from "./kit-stack";

export interface CiRunnerStackProps extends LayerStackProps {
  /** The network whose private subnets the runner's builds run in. */
  readonly network: INetwork;
  /** The cluster the runner deploys the in-cluster stacks into. */
  readonly cluster: IEksCluster;
}

/**
 * `<env>-ci-runner`: the GitHub Actions runner inside the VPC that deploys
 * the in-cluster stacks (their Kubernetes and Helm providers need the private
 * API endpoint at plan time). An AWS-only stack: it is deployed from a
 * GitHub-hosted runner right after `<env>-eks`, and every in-cluster stack
 * depends on it (environment.ts).
 */
export class CiRunnerStack extends KitStack {
  readonly runner: VpcGithubRunner;

  constructor(scope: Construct, props: CiRunnerStackProps) {
    super(scope, { ...props, layer: "ci-runner" });
    const env = props.env;
    this.runner = new VpcGithubRunner(this, "runner", {
      projectName: ciRunnerProjectNameOf(env.name),
      network: props.network,
      cluster: props.cluster,
      connectionArn: env.ciRunner.connectionArn,
      repository: env.ciRunner.repository,
      workflowNames: [DEPLOY_WORKFLOW_NAME],
      computeType: env.ciRunner.computeType,
      image: env.ciRunner.image,
      // The state objects of this environment's stacks only: `<prefix>/<env>-<layer>.tfstate` and `.tflock`.
      state: {
        bucket: env.state.bucket,
        objectPrefix: `${env.state.keyPrefix}/${stackNameOf(env.name, "")}`,
        region: env.state.region,
        lockTable: env.state.dynamodbLockTable,
      },
    });
    const r = this.runner;
    addOutput(this, "runner_project_name", r.projectName, "CodeBuild project of the VPC runner");
    // `${{ github.run_id }}` is GitHub's syntax; Terraform would read `${` as an interpolation: `$${` keeps it literal.
    addOutput(this, "runner_runs_on", r.runsOn.replace(/\$\{/g, "$$${"), "runs-on label of a GitHub job that must run inside the VPC");
    addOutput(this, "runner_role_arn", r.roleArn, "IAM role of the runner's builds (cluster-admin access entry)");
    addOutput(this, "runner_security_group_id", r.securityGroupId, "Security group of the runner's network interfaces");
  }
}
