import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { Ec2Tag } from "@cdktf/provider-aws/lib/ec2-tag";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { IEksCluster } from "../eks/eks-cluster";
import { ServiceAccountRole } from "../eks/irsa";

/** Tag key Karpenter's EC2NodeClass selects subnets and security groups by; its value is the cluster name. */
export const KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery";

/**
 * The EventBridge rules that feed Karpenter's interruption queue, as Karpenter
 * 1.14.1's reference CloudFormation template defines them
 * (website/content/en/v1.14/getting-started/getting-started-with-karpenter/cloudformation.yaml).
 * On each, Karpenter cordons and drains the node before EC2 takes it away.
 */
export const INTERRUPTION_EVENTS: readonly { readonly id: string; readonly source: string; readonly detailType: string }[] = [
  { id: "spot-interruption", source: "aws.ec2", detailType: "EC2 Spot Instance Interruption Warning" },
  { id: "rebalance", source: "aws.ec2", detailType: "EC2 Instance Rebalance Recommendation" },
  { id: "state-change", source: "aws.ec2", detailType: "EC2 Instance State-change Notification" },
  { id: "scheduled-change", source: "aws.health", detailType: "AWS Health Event" },
  { id: "capacity-reservation", source: "aws.ec2", detailType: "EC2 Capacity Reservation Instance Interruption Warning" },
];

export interface KarpenterAwsProps {
  /** The cluster Karpenter launches nodes for (its OIDC provider trusts the controller's service account). */
  readonly cluster: IEksCluster;
  /**
   * The cluster's name as a plain string: it prefixes the IAM roles, the
   * queue and the rules, and is the value of the discovery tag.
   */
  readonly clusterName: string;
  /** The security group EKS puts on every node (EksCluster.clusterSecurityGroupId); tagged for Karpenter's discovery. */
  readonly clusterSecurityGroupId: string;
  /** Namespace of the controller's service account. */
  readonly namespace: string;
  /** Name of the controller's service account (the chart's fullname: the release name). */
  readonly serviceAccount: string;
}

/**
 * What Karpenter needs from AWS: the controller's IAM role (IRSA, the
 * permissions of Karpenter 1.14.1's reference template plus the spot
 * service-linked role), the node role with an EKS access entry of type
 * EC2_LINUX (its nodes join through it), the interruption queue (SSE, TLS
 * only) with its EventBridge rules, and the discovery tag on the cluster
 * security group. The private subnets carry the same tag (NetworkProps.privateSubnetTags).
 */
export class KarpenterAws extends Construct {
  /** IAM role the controller's service account assumes. */
  readonly controllerRoleArn: string;
  /** IAM role of the nodes Karpenter launches (EC2NodeClass `spec.role` takes the name). */
  readonly nodeRoleName: string;
  /** ARN of the node role (the access entry's principal). */
  readonly nodeRoleArn: string;
  /** SQS queue name (chart value settings.interruptionQueue). */
  readonly interruptionQueueName: string;
  /** ARN of the interruption queue (the EventBridge rules' target). */
  readonly interruptionQueueArn: string;
  /** The tag EC2NodeClasses select subnets and security groups by. */
  readonly discoveryTag: { readonly key: string; readonly value: string };
  /** Everything the controller needs before it starts (IAM attachments, queue policy, access entry, tags). */
  readonly ready: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: KarpenterAwsProps) {
    super(scope, id);
    const name = props.clusterName;
    // IAM role name_prefix allows 38 characters: `<name>-karpenter-node-` must fit.
    if (!/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/.test(name)) {
      throw new Error(
        `${this.node.path}: clusterName ${JSON.stringify(name)} must be 1-22 lowercase letters, digits or hyphens ` +
          `(it prefixes IAM role names, which allow 38 characters with "-karpenter-node-")`,
      );
    }
    const partition = new DataAwsPartition(this, "partition").partition;
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const region = props.cluster.region;
    const clusterTag = `kubernetes.io/cluster/${name}`;

    const queue = new SqsQueue(this, "interruption-queue", {
      name: `${name}-karpenter`,
      // Interruption notices are useless after the 2-minute spot warning; Karpenter's template keeps them 5 minutes.
      messageRetentionSeconds: 300,
      sqsManagedSseEnabled: true,
    });
    const queuePolicy = new SqsQueuePolicy(this, "interruption-queue-policy", {
      queueUrl: queue.url,
      policy: new DataAwsIamPolicyDocument(this, "interruption-queue-policy-doc", {
        statement: [
          {
            sid: "EventBridgeAndSqsSend",
            effect: "Allow",
            principals: [{ type: "Service", identifiers: ["events.amazonaws.com", "sqs.amazonaws.com"] }],
            actions: ["sqs:SendMessage"],
            resources: [queue.arn],
          },
          {
            sid: "DenyHTTP",
            effect: "Deny",
            principals: [{ type: "*", identifiers: ["*"] }],
            actions: ["sqs:*"],
            resources: [queue.arn],
            condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
          },
        ],
      }).json,
    });
    for (const e of INTERRUPTION_EVENTS) {
      const rule = new CloudwatchEventRule(this, `rule-${e.id}`, {
        name: `${name}-karpenter-${e.id}`,
        description: `Karpenter interruption handling for ${name}: ${e.detailType}`,
        eventPattern: JSON.stringify({ source: [e.source], "detail-type": [e.detailType] }),
      });
      new CloudwatchEventTarget(this, `rule-${e.id}-target`, {
        rule: rule.name,
        targetId: "KarpenterInterruptionQueueTarget",
        arn: queue.arn,
      });
    }

    const nodeRole = new IamRole(this, "node-role", {
      namePrefix: `${name}-karpenter-node-`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    });
    const nodePolicies = [
      "AmazonEKSWorkerNodePolicy",
      "AmazonEKS_CNI_Policy",
      "AmazonEC2ContainerRegistryPullOnly",
      "AmazonSSMManagedInstanceCore",
    ].map(
      (policy) =>
        new IamRolePolicyAttachment(this, `node-${policy}`, {
          role: nodeRole.name,
          policyArn: `arn:${partition}:iam::aws:policy/${policy}`,
        }),
    );
    // Nodes authenticate with their role; without this entry they never join (API authentication mode, no aws-auth).
    // The node groups' role has its own entry, which EKS creates with the groups: this is a different role.
    const accessEntry = new EksAccessEntry(this, "node-access-entry", {
      clusterName: props.cluster.clusterName,
      principalArn: nodeRole.arn,
      type: "EC2_LINUX",
    });

    const sgTag = new Ec2Tag(this, "cluster-sg-discovery", {
      resourceId: props.clusterSecurityGroupId,
      key: KARPENTER_DISCOVERY_TAG,
      value: name,
    });

    const documents = controllerPolicyStatements({
      partition,
      account,
      region,
      clusterName: name,
      clusterTag,
      nodeRoleArn: nodeRole.arn,
      queueArn: queue.arn,
    });
    const policies = Object.entries(documents).map(
      ([key, statement]) =>
        new IamPolicy(this, `controller-${key}`, {
          namePrefix: `${name}-karpenter-${key}-`,
          description: `Karpenter controller of ${name}: ${key}`,
          policy: new DataAwsIamPolicyDocument(this, `controller-${key}-doc`, { statement }).json,
        }),
    );
    const controllerRole = new ServiceAccountRole(this, "controller-role", {
      oidcProviderArn: props.cluster.oidcProviderArn,
      oidcIssuerUrl: props.cluster.oidcIssuerUrl,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
    });
    const controllerPolicies = policies.map(
      (policy, i) => new IamRolePolicyAttachment(this, `controller-policy-${i}`, { role: controllerRole.roleName, policyArn: policy.arn }),
    );

    this.controllerRoleArn = controllerRole.roleArn;
    this.nodeRoleName = nodeRole.name;
    this.nodeRoleArn = nodeRole.arn;
    this.interruptionQueueName = queue.name;
    this.interruptionQueueArn = queue.arn;
    this.discoveryTag = { key: KARPENTER_DISCOVERY_TAG, value: name };
    this.ready = [...controllerPolicies, ...nodePolicies, queuePolicy, accessEntry, sgTag];
  }
}

/** What the controller policy statements are built from. */
export interface ControllerPolicyContext {
  /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`). */
  readonly partition: string;
  /** Account id. */
  readonly account: string;
  readonly region: string;
  /** EKS cluster name. */
  readonly clusterName: string;
  /** `kubernetes.io/cluster/<name>` */
  readonly clusterTag: string;
  /** The node role Karpenter passes to the instances it launches. */
  readonly nodeRoleArn: string;
  /** The interruption queue. */
  readonly queueArn: string;
}

/**
 * The controller's permissions in three managed policies (one would pass
 * IAM's 6,144-character limit): Karpenter 1.14.1's reference template
 * (NodeLifecyclePolicy; IAMIntegrationPolicy; EKSIntegrationPolicy,
 * InterruptionPolicy and ResourceDiscoveryPolicy), scoped the same way, plus
 * creating the EC2 Spot service-linked role: an account that never ran spot
 * has none, and CreateFleet then fails with
 * AuthFailure.ServiceLinkedRoleCreationNotPermitted (terraform-aws-eks#2565).
 * Creating that role in Terraform instead would collide between environments
 * in one account: it is one per account.
 */
export function controllerPolicyStatements(c: ControllerPolicyContext): Record<string, DataAwsIamPolicyDocumentStatement[]> {
  const ec2 = (type: string) => `arn:${c.partition}:ec2:${c.region}:*:${type}/*`;
  const ownedByCluster = { test: "StringEquals", variable: `aws:ResourceTag/${c.clusterTag}`, values: ["owned"] };
  const requestOwnedByCluster = { test: "StringEquals", variable: `aws:RequestTag/${c.clusterTag}`, values: ["owned"] };
  const requestClusterName = { test: "StringEquals", variable: "aws:RequestTag/eks:eks-cluster-name", values: [c.clusterName] };
  const anyNodePool = { test: "StringLike", variable: "aws:ResourceTag/karpenter.sh/nodepool", values: ["*"] };
  const requestAnyNodePool = { test: "StringLike", variable: "aws:RequestTag/karpenter.sh/nodepool", values: ["*"] };
  const instanceProfiles = `arn:${c.partition}:iam::${c.account}:instance-profile/*`;
  const region = { test: "StringEquals", variable: "aws:ResourceTag/topology.kubernetes.io/region", values: [c.region] };
  const requestRegion = { test: "StringEquals", variable: "aws:RequestTag/topology.kubernetes.io/region", values: [c.region] };
  const taggedResources = ["fleet", "instance", "volume", "network-interface", "launch-template", "spot-instances-request"].map(ec2);
  return {
    "node-lifecycle": [
      {
        sid: "AllowScopedEC2InstanceAccessActions",
        effect: "Allow",
        resources: [
          `arn:${c.partition}:ec2:${c.region}::image/*`,
          `arn:${c.partition}:ec2:${c.region}::snapshot/*`,
          ...["security-group", "subnet", "capacity-reservation", "placement-group"].map(ec2),
        ],
        actions: ["ec2:RunInstances", "ec2:CreateFleet"],
      },
      {
        sid: "AllowScopedEC2LaunchTemplateAccessActions",
        effect: "Allow",
        resources: [ec2("launch-template")],
        actions: ["ec2:RunInstances", "ec2:CreateFleet"],
        condition: [ownedByCluster, anyNodePool],
      },
      {
        sid: "AllowScopedEC2InstanceActionsWithTags",
        effect: "Allow",
        resources: taggedResources,
        actions: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
        condition: [requestOwnedByCluster, requestClusterName, requestAnyNodePool],
      },
      {
        sid: "AllowScopedResourceCreationTagging",
        effect: "Allow",
        resources: taggedResources,
        actions: ["ec2:CreateTags"],
        condition: [
          requestOwnedByCluster,
          requestClusterName,
          { test: "StringEquals", variable: "ec2:CreateAction", values: ["RunInstances", "CreateFleet", "CreateLaunchTemplate"] },
          requestAnyNodePool,
        ],
      },
      {
        sid: "AllowScopedResourceTagging",
        effect: "Allow",
        resources: [ec2("instance")],
        actions: ["ec2:CreateTags"],
        condition: [
          ownedByCluster,
          anyNodePool,
          { test: "StringEqualsIfExists", variable: "aws:RequestTag/eks:eks-cluster-name", values: [c.clusterName] },
          {
            test: "ForAllValues:StringEquals",
            variable: "aws:TagKeys",
            values: ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"],
          },
        ],
      },
      {
        sid: "AllowScopedDeletion",
        effect: "Allow",
        resources: [ec2("instance"), ec2("launch-template")],
        actions: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
        condition: [ownedByCluster, anyNodePool],
      },
    ],
    "iam-integration": [
      {
        sid: "AllowPassingInstanceRole",
        effect: "Allow",
        resources: [c.nodeRoleArn],
        actions: ["iam:PassRole"],
        condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"] }],
      },
      {
        sid: "AllowScopedInstanceProfileCreationActions",
        effect: "Allow",
        resources: [instanceProfiles],
        actions: ["iam:CreateInstanceProfile"],
        condition: [
          requestOwnedByCluster,
          requestClusterName,
          requestRegion,
          { test: "StringLike", variable: "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass", values: ["*"] },
        ],
      },
      {
        sid: "AllowScopedInstanceProfileTagActions",
        effect: "Allow",
        resources: [instanceProfiles],
        actions: ["iam:TagInstanceProfile"],
        condition: [
          ownedByCluster,
          region,
          requestOwnedByCluster,
          requestClusterName,
          requestRegion,
          { test: "StringLike", variable: "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass", values: ["*"] },
          { test: "StringLike", variable: "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass", values: ["*"] },
        ],
      },
      {
        sid: "AllowScopedInstanceProfileActions",
        effect: "Allow",
        resources: [instanceProfiles],
        actions: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
        condition: [
          ownedByCluster,
          region,
          { test: "StringLike", variable: "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass", values: ["*"] },
        ],
      },
      {
        sid: "AllowSpotServiceLinkedRole",
        effect: "Allow",
        resources: [`arn:${c.partition}:iam::${c.account}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot`],
        actions: ["iam:CreateServiceLinkedRole"],
        condition: [{ test: "StringEquals", variable: "iam:AWSServiceName", values: ["spot.amazonaws.com"] }],
      },
    ],
    "cluster-integration": [
      {
        sid: "AllowAPIServerEndpointDiscovery",
        effect: "Allow",
        resources: [`arn:${c.partition}:eks:${c.region}:${c.account}:cluster/${c.clusterName}`],
        actions: ["eks:DescribeCluster"],
      },
      {
        sid: "AllowInterruptionQueueActions",
        effect: "Allow",
        resources: [c.queueArn],
        actions: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
      },
      {
        sid: "AllowRegionalReadActions",
        effect: "Allow",
        resources: ["*"],
        actions: [
          "ec2:DescribeCapacityReservations",
          "ec2:DescribeImages",
          "ec2:DescribeInstances",
          "ec2:DescribeInstanceStatus",
          "ec2:DescribeInstanceTypeOfferings",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplates",
          "ec2:DescribePlacementGroups",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSpotPriceHistory",
          "ec2:DescribeSubnets",
        ],
        condition: [{ test: "StringEquals", variable: "aws:RequestedRegion", values: [c.region] }],
      },
      {
        sid: "AllowSSMReadActions",
        effect: "Allow",
        resources: [`arn:${c.partition}:ssm:${c.region}::parameter/aws/service/*`],
        actions: ["ssm:GetParameter"],
      },
      { sid: "AllowPricingReadActions", effect: "Allow", resources: ["*"], actions: ["pricing:GetProducts"] },
      { sid: "AllowUnscopedInstanceProfileListAction", effect: "Allow", resources: ["*"], actions: ["iam:ListInstanceProfiles"] },
      { sid: "AllowInstanceProfileReadActions", effect: "Allow", resources: [instanceProfiles], actions: ["iam:GetInstanceProfile"] },
    ],
  };
}
