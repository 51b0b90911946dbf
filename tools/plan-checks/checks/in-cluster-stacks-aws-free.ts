import { reachesCluster } from "../../deploy-order";
import { Finding, PlanCheck } from "../synth-output";

/** AWS data sources that need no IAM permission (computed by the provider, or answered from the credentials). */
const PERMISSIONLESS_AWS_DATA: readonly string[] = [
  "aws_caller_identity",
  "aws_partition",
  "aws_region",
  "aws_arn",
  "aws_default_tags",
  "aws_iam_policy_document",
  "aws_service_principal",
  "aws_eks_cluster_auth",
];

/**
 * Stacks with Kubernetes or Helm providers are planned and applied from the
 * VPC runner, whose role may only touch the Terraform state, describe the
 * cluster and write its own logs (constructs/ci/vpc-github-runner.ts). An AWS
 * resource or AWS data source in such a stack would fail there with
 * AccessDenied: it belongs in an AWS-only stack, which the deploy role applies
 * from the GitHub-hosted runner before the in-cluster stacks (an IRSA role in
 * `<env>-eks`, say, passed to the in-cluster stack as a prop).
 */
export const inClusterStacksAwsFree: PlanCheck = {
  id: "IN_CLUSTER_STACKS_AWS_FREE",
  title: "stacks planned from the VPC runner create and read no AWS resources",
  why: "the VPC runner's role has no AWS permissions beyond state, the cluster's description and its logs; an AWS resource there fails with AccessDenied",
  run(out) {
    const findings: Finding[] = [];
    for (const stack of out.stacks.values()) {
      if (!reachesCluster(stack)) continue;
      for (const [type, byName] of Object.entries(stack.json.resource ?? {})) {
        if (!type.startsWith("aws_")) continue;
        for (const name of Object.keys(byName as object)) {
          findings.push({
            check: this.id,
            stack: stack.name,
            address: `${type}.${name}`,
            message: `${type} in a stack the VPC runner applies; create it in an AWS-only stack (the deploy role applies those) and pass it in`,
          });
        }
      }
      for (const [type, byName] of Object.entries(stack.json.data ?? {})) {
        if (!type.startsWith("aws_") || PERMISSIONLESS_AWS_DATA.includes(type)) continue;
        for (const name of Object.keys(byName as object)) {
          findings.push({
            check: this.id,
            stack: stack.name,
            address: `data.${type}.${name}`,
            message: `data source ${type} in a stack the VPC runner plans; its role cannot read it. Pass the value from an AWS-only stack instead`,
          });
        }
      }
    }
    return findings;
  },
};
