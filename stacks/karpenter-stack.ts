import { Construct } from "constructs";
import { EksCluster } from "../constructs/eks/eks-cluster";
import { KarpenterAws } from "../constructs/karpenter/karpenter-aws";
import { KARPENTER_CHART, KarpenterController } from "../constructs/karpenter/karpenter-controller";
import { schedulingFor } from "../domain/node-pools";
import { InClusterLayerProps, InClusterStack } from "./in-cluster-stack";
import { addOutput } from "./kit-stack";

export interface KarpenterStackProps extends InClusterLayerProps {
  /** The cluster Karpenter scales. */
  readonly cluster: EksCluster;
  /** Karpenter's AWS side (IAM, interruption queue, discovery tags), made in the EKS stack. */
  readonly karpenterAws: KarpenterAws;
}

/**
 * `<env>-karpenter`: the two Helm releases (karpenter-crd, then the controller
 * on the system node group). Karpenter's AWS side (IRSA controller role, node
 * role with its EC2_LINUX access entry, the interruption queue and its
 * EventBridge rules, the discovery tag on the cluster security group) is in
 * the EKS stack: this stack is applied by the VPC runner, which creates no
 * AWS resources. The
 * NodePools and EC2NodeClasses live in `<env>-node-pools`, which depends on
 * this stack: kubernetes_manifest resolves their kinds when it plans.
 */
export class KarpenterStack extends InClusterStack {
  readonly karpenterAws: KarpenterAws;
  readonly controller: KarpenterController;

  constructor(scope: Construct, props: KarpenterStackProps) {
    super(scope, { ...props, layer: "karpenter" });
    this.karpenterAws = props.karpenterAws;
    this.controller = new KarpenterController(this, "karpenter", {
      clusterName: props.cluster.clusterName,
      clusterEndpoint: props.cluster.endpoint,
      controllerRoleArn: this.karpenterAws.controllerRoleArn,
      interruptionQueueName: this.karpenterAws.interruptionQueueName,
      // The system node group: never on a node Karpenter launched (the construct adds that requirement).
      scheduling: schedulingFor("system"),
      spotToSpotConsolidation: true,
      // The IAM, queue and access entry are in the EKS stack, applied before this one.
    });
    addOutput(this, "karpenter_chart_version", KARPENTER_CHART.version, "Version of the karpenter and karpenter-crd Helm charts installed");
  }
}
