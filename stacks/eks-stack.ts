import { Construct } from "constructs";
import { nodeGroupPools } from "../config/node-pools";
import { EksCluster } from "../constructs/eks/eks-cluster";
import { AwsLoadBalancerControllerRole } from "../constructs/ingress/aws-load-balancer-controller";
import { KarpenterAws } from "../constructs/karpenter/karpenter-aws";
import { KARPENTER_CHART, KARPENTER_SERVICE_ACCOUNT } from "../constructs/karpenter/karpenter-controller";
import { usesKarpenter } from "../config/node-pools";
import { INetwork } from "../constructs/network/network";
import { clusterNameOf } from "../domain/names";
import { addOutput, costTags, KitStack, LayerStackProps } from "./kit-stack";

export interface EksStackProps extends LayerStackProps {
  /** The network the cluster and its nodes live in. */
  readonly network: INetwork;
}

/** `<env>-eks`: the cluster, its node pools, IRSA and add-ons. */
export class EksStack extends KitStack {
  readonly cluster: EksCluster;
  /** Karpenter's AWS side (IAM, interruption queue, discovery tags), when a pool has a `karpenter` block. */
  readonly karpenterAws?: KarpenterAws;
  /** The AWS Load Balancer Controller's IRSA role, when the gateway has a load balancer (`ingest.loadBalancer`). */
  readonly lbControllerRole?: AwsLoadBalancerControllerRole;

  constructor(scope: Construct, props: EksStackProps) {
    super(scope, { ...props, layer: "eks" });
    const env = props.env;
    this.cluster = new EksCluster(this, "cluster", {
      clusterName: clusterNameOf(env.name),
      kubernetesVersion: env.eks.kubernetesVersion,
      supportType: env.eks.supportType,
      region: env.region,
      network: props.network,
      endpointPublicAccess: env.eks.endpointPublicAccess,
      publicAccessCidrs: env.eks.publicAccessCidrs,
      logRetentionDays: env.eks.logRetentionDays,
      // Config and props share the shape (a map by pool name, a map by add-on name): no pool is named here.
      // Karpenter-only pools have no node group (stacks/node-pools-stack.ts).
      nodeGroups: nodeGroupPools(env.nodePools),
      addons: env.eks.addons,
      instanceTags: costTags(env, "eks-nodes"),
    });
    // IAM here, with the cluster: the in-cluster stacks are applied by a runner that creates no AWS resources.
    if (usesKarpenter(env)) {
      this.karpenterAws = new KarpenterAws(this, "karpenter-aws", {
        cluster: this.cluster,
        clusterName: clusterNameOf(env.name),
        clusterSecurityGroupId: this.cluster.clusterSecurityGroupId,
        namespace: KARPENTER_CHART.defaultNamespace,
        serviceAccount: KARPENTER_SERVICE_ACCOUNT,
      });
      addOutput(this, "karpenter_node_iam_role_name", this.karpenterAws.nodeRoleName, "IAM role of the nodes Karpenter launches");
      addOutput(this, "karpenter_interruption_queue_name", this.karpenterAws.interruptionQueueName, "SQS queue of EC2 interruption events");
    }
    if (env.features.ingest && env.ingest.loadBalancer) {
      this.lbControllerRole = new AwsLoadBalancerControllerRole(this, "aws-load-balancer-controller-role", {
        cluster: this.cluster,
        vpcId: props.network.vpcId,
      });
      addOutput(this, "lb_controller_role_arn", this.lbControllerRole.roleArn, "IAM role of the AWS Load Balancer Controller (IRSA)");
    }
    const c = this.cluster;
    addOutput(this, "cluster_name", c.clusterName, "Name of the EKS cluster");
    addOutput(this, "cluster_version", env.eks.kubernetesVersion, "Kubernetes version of the control plane");
    addOutput(this, "cluster_endpoint", c.endpoint, "Endpoint of the Kubernetes API server");
    addOutput(this, "cluster_certificate_authority_data", c.certificateAuthorityData, "Base64 PEM of the cluster CA");
    addOutput(this, "cluster_oidc_issuer_url", c.oidcIssuerUrl, "OIDC issuer URL of the cluster (IRSA)");
    addOutput(this, "oidc_provider_arn", c.oidcProviderArn, "ARN of the IAM OIDC provider (IRSA)");
    addOutput(this, "node_iam_role_arn", c.nodeRoleArn, "IAM role of the managed node groups");
    addOutput(this, "cluster_secrets_kms_key_arn", c.secretsKeyArn, "KMS key that envelope-encrypts Kubernetes secrets");
  }
}
