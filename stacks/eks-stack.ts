import { Construct } from "constructs";
import { EksCluster } from "../constructs/eks/eks-cluster";
import { INetwork } from "../constructs/network/network";
import { costTags, KitStack } from "./kit-stack";
import { clusterNameOf, LayerStackProps } from "./network-stack";

export interface EksStackProps extends LayerStackProps {
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
      region: env.region,
      network: props.network,
      endpointPublicAccess: env.eks.endpointPublicAccess,
      publicAccessCidrs: env.eks.publicAccessCidrs,
      logRetentionDays: env.eks.logRetentionDays,
      // Config and props share the shape (a map by pool name, a map by add-on name): no pool is named here.
      nodeGroups: env.nodePools,
      addons: env.eks.addons,
      instanceTags: costTags(env, "eks-nodes"),
    });
  }
}
