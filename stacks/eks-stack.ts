import { Construct } from "constructs";
import { nodeGroupPools } from "../config/node-pools";
import { EksCluster } from "../constructs/eks/eks-cluster";
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
