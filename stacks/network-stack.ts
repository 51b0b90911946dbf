import { Construct } from "constructs";
import { usesKarpenter } from "../config/node-pools";
import { KARPENTER_DISCOVERY_TAG } from "../constructs/karpenter/karpenter-aws";
import { Network } from "../constructs/network/network";
import { clusterNameOf } from "../domain/names";
import { addOutput, KitStack, LayerStackProps } from "./kit-stack";

/** `<env>-network`: the VPC, subnets, NAT and the S3 endpoint. */
export class NetworkStack extends KitStack {
  readonly network: Network;

  constructor(scope: Construct, props: LayerStackProps) {
    super(scope, { ...props, layer: "network" });
    const env = props.env;
    this.network = new Network(this, "network", {
      namePrefix: env.name,
      vpcCidr: env.network.vpcCidr,
      availabilityZones: env.availabilityZones,
      publicSubnetCidrs: env.network.publicSubnetCidrs,
      privateSubnetCidrs: env.network.privateSubnetCidrs,
      natGateways: env.network.natGateways,
      clusterName: clusterNameOf(env.name),
      // Karpenter's EC2NodeClasses launch nodes into the subnets that carry this tag.
      privateSubnetTags: usesKarpenter(env) ? { [KARPENTER_DISCOVERY_TAG]: clusterNameOf(env.name) } : undefined,
    });
    addOutput(this, "vpc_id", this.network.vpcId, "ID of the VPC");
    addOutput(this, "vpc_cidr_block", this.network.vpcCidr, "CIDR block of the VPC");
    addOutput(this, "private_subnets", this.network.privateSubnetIds, "IDs of the private subnets (nodes), in availability-zone order");
    addOutput(this, "public_subnets", this.network.publicSubnetIds, "IDs of the public subnets, in availability-zone order");
    addOutput(this, "azs", this.network.availabilityZones, "Availability zones of the subnets");
  }
}
