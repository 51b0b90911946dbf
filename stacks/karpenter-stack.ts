import { Construct } from "constructs";
import { EksCluster } from "../constructs/eks/eks-cluster";
import { KarpenterAws } from "../constructs/karpenter/karpenter-aws";
import { KARPENTER_CHART, KARPENTER_SERVICE_ACCOUNT, KarpenterController } from "../constructs/karpenter/karpenter-controller";
import { clusterNameOf } from "../domain/names";
import { schedulingFor } from "../domain/node-pools";
import { InClusterLayerProps, InClusterStack } from "./in-cluster-stack";
import { addOutput } from "./kit-stack";

export interface KarpenterStackProps extends InClusterLayerProps {
  /** The cluster Karpenter scales (its security group gets the discovery tag). */
  readonly cluster: EksCluster;
}

/**
 * `<env>-karpenter`: Karpenter's IAM (IRSA controller role, node role with its
 * EC2_LINUX access entry), the interruption queue and its EventBridge rules,
 * the discovery tag on the cluster security group, and the two Helm releases
 * (karpenter-crd, then the controller on the system node group). The
 * NodePools and EC2NodeClasses live in `<env>-node-pools`, which depends on
 * this stack: kubernetes_manifest resolves their kinds when it plans.
 */
export class KarpenterStack extends InClusterStack {
  readonly karpenterAws: KarpenterAws;
  readonly controller: KarpenterController;

  constructor(scope: Construct, props: KarpenterStackProps) {
    super(scope, { ...props, layer: "karpenter" });
    const clusterName = clusterNameOf(props.env.name);
    this.karpenterAws = new KarpenterAws(this, "karpenter-aws", {
      cluster: props.cluster,
      clusterName,
      clusterSecurityGroupId: props.cluster.clusterSecurityGroupId,
      namespace: KARPENTER_CHART.defaultNamespace,
      serviceAccount: KARPENTER_SERVICE_ACCOUNT,
    });
    this.controller = new KarpenterController(this, "karpenter", {
      clusterName: props.cluster.clusterName,
      clusterEndpoint: props.cluster.endpoint,
      controllerRoleArn: this.karpenterAws.controllerRoleArn,
      interruptionQueueName: this.karpenterAws.interruptionQueueName,
      // The system node group: never on a node Karpenter launched (the construct adds that requirement).
      scheduling: schedulingFor("system"),
      spotToSpotConsolidation: true,
      dependsOn: this.karpenterAws.ready,
    });
    addOutput(this, "karpenter_chart_version", KARPENTER_CHART.version, "Version of the karpenter and karpenter-crd Helm charts installed");
    addOutput(this, "karpenter_node_iam_role_name", this.karpenterAws.nodeRoleName, "IAM role of the nodes Karpenter launches");
    addOutput(this, "karpenter_interruption_queue_name", this.karpenterAws.interruptionQueueName, "SQS queue of EC2 interruption events");
  }
}
