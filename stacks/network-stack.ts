import { Construct } from "constructs";
import { Network } from "../constructs/network/network";
import { KitStack, KitStackProps } from "./kit-stack";

export type LayerStackProps = Omit<KitStackProps, "layer">;

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
    });
  }
}

/** One cluster per environment, named after it. */
export function clusterNameOf(envName: string): string {
  return `${envName}-streaming`;
}
