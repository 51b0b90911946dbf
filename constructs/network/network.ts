import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Construct } from "constructs";

/** What other constructs need to know about a network. */
export interface INetwork {
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Private subnet ids, in availability-zone order. */
  readonly privateSubnetIds: readonly string[];
  readonly publicSubnetIds: readonly string[];
  readonly availabilityZones: readonly string[];
}

export interface NetworkProps {
  /** VPC CIDR block. */
  readonly vpcCidr: string;
  /** Availability zones; one public and one private subnet is made in each. */
  readonly availabilityZones: readonly string[];
  /** One CIDR per AZ, in the same order. */
  readonly publicSubnetCidrs: readonly string[];
  /** One CIDR per AZ, in the same order. */
  readonly privateSubnetCidrs: readonly string[];
  /**
   * NAT gateways, placed in the first N public subnets. Private subnets route
   * through the NAT in their own AZ when there is one, else the first.
   * @default one per AZ
   */
  readonly natGateways?: number;
  /**
   * EKS cluster name, for the subnet tags the AWS load balancer controller reads.
   * @default no cluster tags
   */
  readonly clusterName?: string;
  /** Name prefix for resources. */
  readonly namePrefix: string;
  /**
   * Extra tags on the private subnets, e.g. Karpenter's discovery tag
   * (`karpenter.sh/discovery: <cluster>`), which its EC2NodeClass selects subnets by.
   * @default none
   */
  readonly privateSubnetTags?: Readonly<Record<string, string>>;
}

/**
 * A VPC over several AZs: public subnets with an internet gateway, private
 * subnets for nodes behind NAT, and an S3 gateway endpoint so checkpoint and
 * log traffic to S3 does not pay NAT per-GB charges.
 */
export class Network extends Construct implements INetwork {
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly privateSubnetIds: readonly string[];
  readonly publicSubnetIds: readonly string[];
  readonly availabilityZones: readonly string[];
  readonly natGatewayCount: number;
  /** Route tables of the private subnets (one per AZ). */
  readonly privateRouteTableIds: readonly string[];
  readonly s3EndpointId: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const azs = props.availabilityZones;
    const natCount = props.natGateways ?? azs.length;
    const problems: string[] = [];
    if (azs.length < 2) problems.push(`availabilityZones needs at least 2 zones, got ${azs.length}`);
    if (props.publicSubnetCidrs.length !== azs.length || props.privateSubnetCidrs.length !== azs.length) {
      problems.push(
        `need one public and one private subnet CIDR per AZ (${azs.length}), got ${props.publicSubnetCidrs.length} public and ${props.privateSubnetCidrs.length} private`,
      );
    }
    if (!Number.isInteger(natCount) || natCount < 1 || natCount > azs.length) {
      problems.push(`natGateways must be a whole number from 1 to ${azs.length}, got ${natCount}`);
    }
    if (problems.length) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
    const name = (suffix: string) => ({ Name: `${props.namePrefix}-${suffix}` });
    const clusterTag = props.clusterName ? { [`kubernetes.io/cluster/${props.clusterName}`]: "shared" } : {};

    const vpc = new Vpc(this, "vpc", {
      cidrBlock: props.vpcCidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: name("vpc"),
    });
    const igw = new InternetGateway(this, "igw", { vpcId: vpc.id, tags: name("igw") });

    const publicRt = new RouteTable(this, "public-rt", { vpcId: vpc.id, tags: name("public") });
    new Route(this, "public-default", { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });

    const publicSubnets = azs.map((az, i) => {
      const subnet = new Subnet(this, `public-${az}`, {
        vpcId: vpc.id,
        availabilityZone: az,
        cidrBlock: props.publicSubnetCidrs[i],
        // Nodes never get public IPs; only NAT and load balancers live here.
        mapPublicIpOnLaunch: false,
        tags: { ...name(`public-${az}`), ...clusterTag, "kubernetes.io/role/elb": "1" },
      });
      new RouteTableAssociation(this, `public-${az}-rta`, { subnetId: subnet.id, routeTableId: publicRt.id });
      return subnet;
    });

    const nats = publicSubnets.slice(0, natCount).map((subnet, i) => {
      const eip = new Eip(this, `nat-eip-${azs[i]}`, { domain: "vpc", tags: name(`nat-${azs[i]}`) });
      return new NatGateway(this, `nat-${azs[i]}`, {
        allocationId: eip.id,
        subnetId: subnet.id,
        tags: name(`nat-${azs[i]}`),
        dependsOn: [igw],
      });
    });

    const privateRts: RouteTable[] = [];
    const privateSubnets = azs.map((az, i) => {
      const subnet = new Subnet(this, `private-${az}`, {
        vpcId: vpc.id,
        availabilityZone: az,
        cidrBlock: props.privateSubnetCidrs[i],
        tags: { ...name(`private-${az}`), ...clusterTag, "kubernetes.io/role/internal-elb": "1", ...props.privateSubnetTags },
      });
      const rt = new RouteTable(this, `private-${az}-rt`, { vpcId: vpc.id, tags: name(`private-${az}`) });
      const nat = nats[i] ?? nats[0];
      new Route(this, `private-${az}-default`, { routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id });
      new RouteTableAssociation(this, `private-${az}-rta`, { subnetId: subnet.id, routeTableId: rt.id });
      privateRts.push(rt);
      return subnet;
    });

    const s3Endpoint = new VpcEndpoint(this, "s3-endpoint", {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${regionOf(azs[0])}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: privateRts.map((rt) => rt.id),
      tags: name("s3"),
    });

    this.vpcId = vpc.id;
    this.vpcCidr = props.vpcCidr;
    this.availabilityZones = [...azs];
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.privateRouteTableIds = privateRts.map((rt) => rt.id);
    this.natGatewayCount = natCount;
    this.s3EndpointId = s3Endpoint.id;
  }
}

/** `us-east-1a` -> `us-east-1`. */
function regionOf(zone: string): string {
  return zone.replace(/[a-z]$/, "");
}
