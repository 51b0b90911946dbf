import { Construct } from "constructs";
import { karpenterPools } from "../config/node-pools";
import { KarpenterAws } from "../constructs/karpenter/karpenter-aws";
import { KarpenterNodePool } from "../constructs/karpenter/node-pool";
import { InClusterLayerProps, InClusterStack } from "./in-cluster-stack";
import { costTags } from "./kit-stack";

export interface NodePoolsStackProps extends InClusterLayerProps {
  /** Karpenter's AWS side: the node role and the discovery tag. */
  readonly karpenter: KarpenterAws;
}

/**
 * `<env>-node-pools`: an EC2NodeClass and a NodePool for every pool with a
 * `karpenter` block (config `nodePools`). Depends on `<env>-karpenter`, which
 * installs their CRDs.
 */
export class NodePoolsStack extends InClusterStack {
  readonly pools: readonly KarpenterNodePool[];

  constructor(scope: Construct, props: NodePoolsStackProps) {
    super(scope, { ...props, layer: "node-pools" });
    const env = props.env;
    const amiAlias = env.karpenter?.amiAlias;
    if (amiAlias === undefined) throw new Error(`${this.node.path}: env.karpenter.amiAlias is required for Karpenter pools`);
    this.pools = Object.entries(karpenterPools(env.nodePools)).map(
      ([name, pool]) =>
        new KarpenterNodePool(this, name, {
          pool: { name, tainted: pool.tainted },
          nodeRoleName: props.karpenter.nodeRoleName,
          discoveryTag: props.karpenter.discoveryTag,
          amiAlias,
          instanceTypes: pool.instanceTypes,
          capacityType: pool.capacityType,
          zones: env.availabilityZones,
          diskSizeGiB: pool.diskSizeGiB,
          limits: pool.karpenter.limits,
          disruption: pool.karpenter.disruption,
          tags: costTags(env, "eks-nodes"),
        }),
    );
  }
}
