import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksCluster as AwsEksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { CLOUDWATCH_LOG_RETENTION_DAYS } from "../../domain/aws-limits";
import { NODE_POOL_LABEL, POOL_NAME_PATTERN, POOL_NAME_RULE } from "../../domain/node-pools";
import { INetwork } from "../network/network";
import { ServiceAccountRole } from "./irsa";

/** What later stacks need to reach and extend a cluster. */
export interface IEksCluster {
  readonly clusterName: string;
  readonly endpoint: string;
  /** Base64 PEM of the cluster CA, as EKS returns it. */
  readonly certificateAuthorityData: string;
  readonly oidcProviderArn: string;
  readonly oidcIssuerUrl: string;
  readonly region: string;
  /** The cluster's Service CIDR (EKS picks it at creation when not set): its first host is the `kubernetes` Service. */
  readonly serviceIpv4Cidr: string;
}

/** One managed node pool: a node group, or one per availability zone. */
export interface NodeGroupSpec {
  readonly instanceTypes: readonly string[];
  readonly capacityType: "ON_DEMAND" | "SPOT";
  /** Node counts of each node group (per availability zone when `nodeGroupPerAz`). */
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  /** Root volume size in GiB (gp3, encrypted). */
  readonly diskSizeGiB: number;
  /**
   * Taint the nodes `platform.streaming-kit/pool=<pool>:NoSchedule`. The label of
   * the same key is always set.
   * @default false
   */
  readonly tainted?: boolean;
  /**
   * One node group per availability zone, each in that zone's private subnet,
   * named `<pool>-<zone>`; otherwise one group named `<pool>` over all zones.
   * @default false
   */
  readonly nodeGroupPerAz?: boolean;
}

/** One EKS add-on. */
export interface AddonSpec {
  /** Pinned add-on version. @default the version EKS picks for the cluster's Kubernetes version */
  readonly version?: string;
  /**
   * Create the add-on only after the node groups. Deployment add-ons (coredns,
   * the EBS CSI controller, metrics-server) become healthy only once nodes exist;
   * add-ons the nodes themselves need to become Ready (vpc-cni, kube-proxy) must
   * not wait for them.
   * @default false for vpc-cni, kube-proxy and eks-pod-identity-agent; true otherwise
   */
  readonly needsNodes?: boolean;
  /**
   * The add-on's configuration values, sent to EKS as compact JSON with sorted
   * keys (EKS checks them against the add-on version's schema at apply).
   * @default none (the add-on's defaults)
   */
  readonly configurationValues?: { readonly [key: string]: unknown };
}

export interface EksClusterProps {
  /** Name of the EKS cluster (also the discovery tag value on its subnets). */
  readonly clusterName: string;
  /** Kubernetes minor version of the control plane, e.g. "1.35". */
  readonly kubernetesVersion: string;
  /**
   * What EKS does when the version leaves standard support: "STANDARD"
   * upgrades the control plane, "EXTENDED" keeps it at extended-support prices.
   * @default "STANDARD"
   */
  readonly supportType?: "STANDARD" | "EXTENDED";
  /** The VPC and subnets; the control plane and nodes use the private subnets. */
  readonly network: INetwork;
  /** AWS region of the cluster (for `aws eks get-token`). */
  readonly region: string;
  /** Allow the API endpoint to be reached from outside the VPC. @default false */
  readonly endpointPublicAccess?: boolean;
  /**
   * Allow-list for a public endpoint. EKS reads an empty list as 0.0.0.0/0, so
   * that is what a public endpoint without one gets, written out in the plan.
   * Whether an open endpoint is acceptable is the caller's policy (config
   * validation and the EKS_ENDPOINT_RESTRICTED rule), not this construct's.
   * @default [] (0.0.0.0/0 when the endpoint is public)
   */
  readonly publicAccessCidrs?: readonly string[];
  /** One of the retention periods CloudWatch Logs accepts. @default 90 */
  readonly logRetentionDays?: number;
  /**
   * Managed node pools by name. Every node carries the label
   * `platform.streaming-kit/pool=<name>` (domain/node-pools.ts).
   */
  readonly nodeGroups: Readonly<Record<string, NodeGroupSpec>>;
  /**
   * EKS add-ons by name. `aws-ebs-csi-driver` gets an IRSA role for its
   * controller's service account.
   */
  readonly addons: Readonly<Record<string, AddonSpec>>;
  /**
   * IMDS hop limit. 2 lets pods that still need instance metadata (some agents)
   * reach it through the extra network hop; 1 blocks pods entirely.
   * @default 2
   */
  readonly imdsHopLimit?: number;
  /** Tags added to EC2 instances and volumes the node groups launch (default_tags do not reach them). */
  readonly instanceTags: Readonly<Record<string, string>>;
}

const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** DaemonSet add-ons that run on (or are needed by) every node: they must not wait for the node groups. */
const ADDONS_BEFORE_NODES: readonly string[] = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"];

/** Add-ons whose controller needs AWS permissions, through an IRSA role pinned to its service account. */
const ADDON_ROLES: Readonly<
  Record<string, { readonly id: string; readonly serviceAccount: string; readonly managedPolicyArns: readonly string[] }>
> = {
  "aws-ebs-csi-driver": {
    id: "ebs-csi-role",
    serviceAccount: "ebs-csi-controller-sa",
    managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"],
  },
};

/**
 * An EKS cluster with KMS-encrypted secrets, full control-plane logging, an
 * OIDC provider for IRSA, the given add-ons, and the given managed node pools,
 * whose launch templates require IMDSv2 and encrypt their root volumes.
 */
export class EksCluster extends Construct implements IEksCluster {
  readonly clusterName: string;
  readonly endpoint: string;
  readonly certificateAuthorityData: string;
  readonly oidcProviderArn: string;
  readonly oidcIssuerUrl: string;
  readonly region: string;
  readonly serviceIpv4Cidr: string;
  readonly secretsKeyArn: string;
  readonly nodeRoleArn: string;
  /**
   * The security group EKS creates for the cluster and puts on the control
   * plane's network interfaces and on every managed node (the launch templates
   * name none): nodes that join later (Karpenter's) need it too.
   */
  readonly clusterSecurityGroupId: string;
  /** Node group names by pool; a pool with `nodeGroupPerAz` has one per AZ. */
  readonly nodeGroupNames: Readonly<Record<string, readonly string[]>>;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    const problems = propsProblems(props);
    if (problems.length) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
    const name = props.clusterName;

    const secretsKey = new KmsKey(this, "secrets-key", {
      description: `EKS secrets envelope encryption for ${name}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    new KmsAlias(this, "secrets-key-alias", { name: `alias/${name}-eks-secrets`, targetKeyId: secretsKey.keyId });

    const clusterRole = new IamRole(this, "cluster-role", {
      namePrefix: `${name}-cluster-`.slice(0, 38),
      assumeRolePolicy: servicePrincipalPolicy("eks.amazonaws.com"),
    });
    new IamRolePolicyAttachment(this, "cluster-policy", {
      role: clusterRole.name,
      policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
    });

    // Created up front so retention is ours, not "never expire".
    const logGroup = new CloudwatchLogGroup(this, "control-plane-logs", {
      name: `/aws/eks/${name}/cluster`,
      retentionInDays: props.logRetentionDays ?? 90,
    });

    const clusterSg = new SecurityGroup(this, "cluster-sg", {
      name: `${name}-cluster-extra`,
      description: `Extra rules for the ${name} control plane`,
      vpcId: props.network.vpcId,
    });
    new VpcSecurityGroupIngressRule(this, "api-from-vpc", {
      securityGroupId: clusterSg.id,
      description: "Kubernetes API from inside the VPC",
      cidrIpv4: props.network.vpcCidr,
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
    });

    const cluster = new AwsEksCluster(this, "cluster", {
      name,
      version: props.kubernetesVersion,
      upgradePolicy: { supportType: props.supportType ?? "STANDARD" },
      roleArn: clusterRole.arn,
      enabledClusterLogTypes: CONTROL_PLANE_LOGS,
      vpcConfig: {
        subnetIds: [...props.network.privateSubnetIds],
        securityGroupIds: [clusterSg.id],
        endpointPrivateAccess: true,
        endpointPublicAccess: props.endpointPublicAccess ?? false,
        publicAccessCidrs: props.endpointPublicAccess ? publicCidrs(props.publicAccessCidrs) : undefined,
      },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.arn } },
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
      dependsOn: [logGroup],
    });

    const oidc = new IamOpenidConnectProvider(this, "oidc", {
      url: cluster.identity.get(0).oidc.get(0).issuer,
      clientIdList: ["sts.amazonaws.com"],
    });

    const nodeRole = new IamRole(this, "node-role", {
      namePrefix: `${name}-node-`.slice(0, 38),
      assumeRolePolicy: servicePrincipalPolicy("ec2.amazonaws.com"),
    });
    const nodePolicies = [
      "AmazonEKSWorkerNodePolicy",
      "AmazonEKS_CNI_Policy",
      "AmazonEC2ContainerRegistryReadOnly",
      "AmazonSSMManagedInstanceCore",
    ].map(
      (policy) =>
        new IamRolePolicyAttachment(this, `node-${policy}`, {
          role: nodeRole.name,
          policyArn: `arn:aws:iam::aws:policy/${policy}`,
        }),
    );

    const groups: Record<string, string[]> = {};
    const nodeGroups: EksNodeGroup[] = [];
    const addGroup = (pool: string, spec: NodeGroupSpec, groupId: string, subnetIds: string[]) => {
      const template = new LaunchTemplate(this, `${groupId}-lt`, {
        namePrefix: `${name}-${groupId}-`,
        updateDefaultVersion: true,
        metadataOptions: {
          httpEndpoint: "enabled",
          httpTokens: "required",
          httpPutResponseHopLimit: props.imdsHopLimit ?? 2,
        },
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: { volumeSize: spec.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
          },
        ],
        tagSpecifications: ["instance", "volume"].map((resourceType) => ({
          resourceType,
          tags: { ...props.instanceTags, Name: `${name}-${groupId}` },
        })),
      });
      const group = new EksNodeGroup(this, groupId, {
        clusterName: cluster.name,
        nodeGroupNamePrefix: `${groupId}-`,
        nodeRoleArn: nodeRole.arn,
        subnetIds,
        capacityType: spec.capacityType,
        instanceTypes: [...spec.instanceTypes],
        scalingConfig: { minSize: spec.minSize, desiredSize: spec.desiredSize, maxSize: spec.maxSize },
        updateConfig: { maxUnavailable: 1 },
        labels: { [NODE_POOL_LABEL]: pool },
        taint: spec.tainted ? [{ key: NODE_POOL_LABEL, value: pool, effect: "NO_SCHEDULE" }] : undefined,
        launchTemplate: { id: template.id, version: Fn.tostring(template.latestVersion) },
        dependsOn: nodePolicies,
        lifecycle: { ignoreChanges: ["scaling_config[0].desired_size"], createBeforeDestroy: true },
      });
      (groups[pool] ??= []).push(group.nodeGroupName);
      nodeGroups.push(group);
    };
    const subnets = props.network.privateSubnetIds;
    for (const [pool, spec] of Object.entries(props.nodeGroups)) {
      if (spec.nodeGroupPerAz) {
        // A group per zone: EBS volumes are zonal, so a pod with a volume must come back in its own zone.
        props.network.availabilityZones.forEach((az, i) => addGroup(pool, spec, `${pool}-${az}`, [subnets[i]]));
      } else {
        addGroup(pool, spec, pool, [...subnets]);
      }
    }

    const issuerUrl = cluster.identity.get(0).oidc.get(0).issuer;
    const addonRoles: Record<string, ServiceAccountRole> = {};
    for (const addon of Object.keys(props.addons)) {
      const role = ADDON_ROLES[addon];
      if (!role) continue;
      addonRoles[addon] = new ServiceAccountRole(this, role.id, {
        oidcProviderArn: oidc.arn,
        oidcIssuerUrl: issuerUrl,
        namespace: "kube-system",
        serviceAccount: role.serviceAccount,
        managedPolicyArns: role.managedPolicyArns,
      });
    }
    for (const [addon, spec] of Object.entries(props.addons)) {
      const needsNodes = spec.needsNodes ?? !ADDONS_BEFORE_NODES.includes(addon);
      new EksAddon(this, `addon-${addon}`, {
        clusterName: cluster.name,
        addonName: addon,
        addonVersion: spec.version,
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "PRESERVE",
        serviceAccountRoleArn: addonRoles[addon]?.roleArn,
        configurationValues: spec.configurationValues ? canonicalJson(spec.configurationValues) : undefined,
        dependsOn: needsNodes && nodeGroups.length > 0 ? nodeGroups : undefined,
      });
    }

    this.clusterName = cluster.name;
    this.endpoint = cluster.endpoint;
    this.certificateAuthorityData = cluster.certificateAuthority.get(0).data;
    this.oidcProviderArn = oidc.arn;
    this.oidcIssuerUrl = issuerUrl;
    this.region = props.region;
    this.serviceIpv4Cidr = cluster.kubernetesNetworkConfig.serviceIpv4Cidr;
    this.secretsKeyArn = secretsKey.arn;
    this.nodeRoleArn = nodeRole.arn;
    this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
    this.nodeGroupNames = groups;
  }
}

/**
 * Compact JSON with object keys sorted at every level: the same document
 * whatever order the config lists the settings in. EKS stores the string as
 * sent, and a differently formatted string shows as an in-place update
 * ("whitespace changes", terraform-aws-modules/terraform-aws-eks#3380).
 */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sort(value));
}

/** EKS reads a public endpoint without an allow-list as 0.0.0.0/0; say so in the plan. */
function publicCidrs(cidrs: readonly string[] | undefined): string[] {
  return cidrs && cidrs.length > 0 ? [...cidrs] : ["0.0.0.0/0"];
}

/**
 * What EKS, EC2 and CloudWatch need of these props. Environment policy (spot
 * or on-demand per pool, who may reach the endpoint) is config validation's.
 */
function propsProblems(props: EksClusterProps): string[] {
  const problems: string[] = [];
  const net = props.network;
  if (net.availabilityZones.length !== net.privateSubnetIds.length) {
    problems.push(
      `network has ${net.availabilityZones.length} availability zones but ${net.privateSubnetIds.length} private subnets; need one per zone`,
    );
  }
  if (props.logRetentionDays !== undefined && !CLOUDWATCH_LOG_RETENTION_DAYS.includes(props.logRetentionDays)) {
    problems.push(`logRetentionDays ${props.logRetentionDays} is not a retention period CloudWatch Logs accepts`);
  }
  const hops = props.imdsHopLimit;
  if (hops !== undefined && !(Number.isInteger(hops) && hops >= 1 && hops <= 64)) {
    problems.push(`imdsHopLimit ${hops} must be a whole number from 1 to 64`);
  }
  const groupIds = Object.entries(props.nodeGroups).flatMap(([pool, spec]) =>
    spec.nodeGroupPerAz ? net.availabilityZones.map((az) => `${pool}-${az}`) : [pool],
  );
  const clashes = [...new Set(groupIds.filter((g, i) => groupIds.indexOf(g) !== i))];
  if (clashes.length)
    problems.push(`node group names ${JSON.stringify(clashes)} would be made twice (a pool named like another's per-zone group)`);
  for (const [pool, spec] of Object.entries(props.nodeGroups)) {
    const at = `nodeGroups.${pool}`;
    if (!POOL_NAME_PATTERN.test(pool)) problems.push(`${at}: the pool name is a label value and node group name prefix, ${POOL_NAME_RULE}`);
    if (spec.instanceTypes.length === 0) problems.push(`${at}.instanceTypes is empty; a node group needs at least one`);
    const { minSize, desiredSize, maxSize } = spec;
    if (
      ![minSize, desiredSize, maxSize].every(Number.isInteger) ||
      minSize < 0 ||
      maxSize < 1 ||
      minSize > desiredSize ||
      desiredSize > maxSize
    ) {
      problems.push(
        `${at}: sizes min ${minSize}, desired ${desiredSize}, max ${maxSize}; EKS needs whole numbers with 0 <= min <= desired <= max, max >= 1`,
      );
    }
    if (!(Number.isInteger(spec.diskSizeGiB) && spec.diskSizeGiB >= 20 && spec.diskSizeGiB <= 16384)) {
      problems.push(
        `${at}.diskSizeGiB ${spec.diskSizeGiB} must be a whole number from 20 (the EKS AMI's snapshot) to 16384 (gp3's largest)`,
      );
    }
  }
  return problems;
}

function servicePrincipalPolicy(service: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
}
