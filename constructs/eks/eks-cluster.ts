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
import { isWorldOpen } from "../../domain/cidr";
import { INetwork } from "../network/network";
import { ServiceAccountRole } from "./irsa";
import { isTainted, NODE_POOL_LABEL, NodePoolName } from "../../domain/node-pools";

/** What later stacks need to reach and extend a cluster. */
export interface IEksCluster {
  readonly clusterName: string;
  readonly endpoint: string;
  /** Base64 PEM of the cluster CA, as EKS returns it. */
  readonly certificateAuthorityData: string;
  readonly oidcProviderArn: string;
  readonly oidcIssuerUrl: string;
  readonly region: string;
}

export interface NodeGroupSpec {
  readonly instanceTypes: readonly string[];
  readonly capacityType: "ON_DEMAND" | "SPOT";
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  readonly diskSizeGiB: number;
}

export interface EksClusterProps {
  readonly clusterName: string;
  readonly kubernetesVersion: string;
  readonly network: INetwork;
  readonly region: string;
  /** Allow the API endpoint to be reached from outside the VPC. @default false */
  readonly endpointPublicAccess?: boolean;
  /** Allow-list for a public endpoint; required (and never world-open) when public. */
  readonly publicAccessCidrs?: readonly string[];
  /** @default 90 */
  readonly logRetentionDays?: number;
  /** On-demand pool for operators and control-plane pods. */
  readonly system: NodeGroupSpec;
  /** On-demand pool for Kafka; one node group per AZ, sizes are per AZ. */
  readonly kafka: NodeGroupSpec;
  /** Spot pool for consumers and workers. */
  readonly consumers: NodeGroupSpec;
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

/**
 * An EKS cluster with KMS-encrypted secrets, full control-plane logging, an
 * OIDC provider for IRSA, the EBS CSI driver, and three managed node pools
 * whose launch templates require IMDSv2 and encrypt their root volumes.
 */
export class EksCluster extends Construct implements IEksCluster {
  readonly clusterName: string;
  readonly endpoint: string;
  readonly certificateAuthorityData: string;
  readonly oidcProviderArn: string;
  readonly oidcIssuerUrl: string;
  readonly region: string;
  readonly secretsKeyArn: string;
  readonly nodeRoleArn: string;
  /** Node group names by pool; the kafka pool has one per AZ. */
  readonly nodeGroupNames: Readonly<Record<NodePoolName, readonly string[]>>;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    validateProps(id, props);
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
      roleArn: clusterRole.arn,
      enabledClusterLogTypes: CONTROL_PLANE_LOGS,
      vpcConfig: {
        subnetIds: [...props.network.privateSubnetIds],
        securityGroupIds: [clusterSg.id],
        endpointPrivateAccess: true,
        endpointPublicAccess: props.endpointPublicAccess ?? false,
        publicAccessCidrs: props.endpointPublicAccess ? [...(props.publicAccessCidrs ?? [])] : undefined,
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

    const groups: Record<NodePoolName, string[]> = { system: [], kafka: [], consumers: [] };
    const nodeGroups: EksNodeGroup[] = [];
    const addGroup = (pool: NodePoolName, spec: NodeGroupSpec, groupId: string, subnetIds: string[]) => {
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
        taint: isTainted(pool) ? [{ key: NODE_POOL_LABEL, value: pool, effect: "NO_SCHEDULE" }] : undefined,
        launchTemplate: { id: template.id, version: Fn.tostring(template.latestVersion) },
        dependsOn: nodePolicies,
        lifecycle: { ignoreChanges: ["scaling_config[0].desired_size"], createBeforeDestroy: true },
      });
      groups[pool].push(group.nodeGroupName);
      nodeGroups.push(group);
    };
    addGroup("system", props.system, "system", [...props.network.privateSubnetIds]);
    // One kafka group per AZ: EBS volumes are zonal, so a broker must come back in its own zone.
    props.network.availabilityZones.forEach((az, i) => addGroup("kafka", props.kafka, `kafka-${az}`, [props.network.privateSubnetIds[i]]));
    addGroup("consumers", props.consumers, "consumers", [...props.network.privateSubnetIds]);

    const ebsCsiRole = new ServiceAccountRole(this, "ebs-csi-role", {
      oidcProviderArn: oidc.arn,
      oidcIssuerUrl: cluster.identity.get(0).oidc.get(0).issuer,
      namespace: "kube-system",
      serviceAccount: "ebs-csi-controller-sa",
      managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"],
    });
    // metrics-server feeds resource metrics to HPAs (the broker autoscaler scales on CPU).
    for (const addon of ["vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver", "metrics-server"]) {
      new EksAddon(this, `addon-${addon}`, {
        clusterName: cluster.name,
        addonName: addon,
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "PRESERVE",
        serviceAccountRoleArn: addon === "aws-ebs-csi-driver" ? ebsCsiRole.roleArn : undefined,
        // coredns and the CSI controller are Deployments: they only become healthy once nodes exist.
        dependsOn: ["coredns", "aws-ebs-csi-driver", "metrics-server"].includes(addon) ? nodeGroups : undefined,
      });
    }

    this.clusterName = cluster.name;
    this.endpoint = cluster.endpoint;
    this.certificateAuthorityData = cluster.certificateAuthority.get(0).data;
    this.oidcProviderArn = oidc.arn;
    this.oidcIssuerUrl = cluster.identity.get(0).oidc.get(0).issuer;
    this.region = props.region;
    this.secretsKeyArn = secretsKey.arn;
    this.nodeRoleArn = nodeRole.arn;
    this.nodeGroupNames = groups;
  }
}

function validateProps(id: string, props: EksClusterProps): void {
  const problems: string[] = [];
  if (props.endpointPublicAccess) {
    const cidrs = props.publicAccessCidrs ?? [];
    if (cidrs.length === 0) problems.push("a public endpoint needs publicAccessCidrs (empty means 0.0.0.0/0)");
    if (cidrs.some(isWorldOpen)) problems.push(`publicAccessCidrs ${JSON.stringify(cidrs)} opens the API to the internet`);
  }
  if (props.consumers.capacityType !== "SPOT") problems.push(`consumers.capacityType must be SPOT, got ${props.consumers.capacityType}`);
  for (const pool of ["system", "kafka"] as const) {
    if (props[pool].capacityType !== "ON_DEMAND") problems.push(`${pool}.capacityType must be ON_DEMAND, got ${props[pool].capacityType}`);
  }
  if (props.network.availabilityZones.length !== props.network.privateSubnetIds.length) {
    problems.push("network must have one private subnet per availability zone");
  }
  if (problems.length) throw new Error(`EksCluster ${id}: ${problems.join("; ")}`);
}

function servicePrincipalPolicy(service: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
}
