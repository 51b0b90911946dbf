import { HttpProvider } from "@cdktf/provider-http/lib/provider";
import { Construct } from "constructs";
import { AwsLoadBalancerController } from "../constructs/ingress/aws-load-balancer-controller";
import { schedulingFor } from "../domain/node-pools";
import { InClusterLayerProps, InClusterStack } from "./in-cluster-stack";
import { addOutput } from "./kit-stack";

export interface LoadBalancerControllerStackProps extends InClusterLayerProps {
  /** ID of the cluster's VPC (from the network stack). */
  readonly vpcId: string;
  /** The controller's IRSA role (from the EKS stack). */
  readonly roleArn: string;
}

/**
 * `<env>-lb-controller`: the AWS Load Balancer Controller (pinned chart) on
 * the system pool, running as the IRSA role the EKS stack makes. Its own stack so the stacks
 * that create load-balanced Services depend on it: the release waits until
 * the controller and its webhooks are ready, and a stack planned after it can
 * rely on both.
 */
export class LoadBalancerControllerStack extends InClusterStack {
  readonly controller: AwsLoadBalancerController;

  constructor(scope: Construct, props: LoadBalancerControllerStackProps) {
    super(scope, { ...props, layer: "lb-controller" });
    const env = props.env;
    // The chart's CRDs are read at plan time from the controller's release (constructs/helm/chart-crds.ts).
    new HttpProvider(this, "http");
    this.controller = new AwsLoadBalancerController(this, "aws-load-balancer-controller", {
      cluster: props.cluster,
      vpcId: props.vpcId,
      roleArn: props.roleArn,
      scheduling: schedulingFor("system"),
      replicas: 2,
      // Cost allocation for what the controller creates (Terraform's default_tags do not reach it);
      // `component` comes from each Service.
      defaultTags: { environment: env.name, owner: env.owner, "managed-by": "aws-load-balancer-controller" },
    });
    addOutput(
      this,
      "lb_controller_chart_version",
      this.controller.chart.chart.version,
      "Version of the aws-load-balancer-controller chart",
    );
  }
}
