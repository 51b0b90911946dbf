import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { CodebuildWebhook } from "@cdktf/provider-aws/lib/codebuild-webhook";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { Construct } from "constructs";
import { CLOUDWATCH_LOG_RETENTION_DAYS } from "../../domain/aws-limits";
import { IEksCluster } from "../eks/eks-cluster";
import { INetwork } from "../network/network";

/** The Terraform state the runner's jobs plan and apply against (S3 backend with `use_lockfile`). */
export interface RunnerStateAccess {
  /** S3 bucket of the state. */
  readonly bucket: string;
  /**
   * Every state object and lock file the jobs touch starts with this key prefix
   * (`<prefix>/<env>-` for `<prefix>/<env>-<layer>.tfstate` and its `.tflock`).
   */
  readonly objectPrefix: string;
  /** Region of the DynamoDB lock table. */
  readonly region: string;
  /** DynamoDB lock table, while migrating off DynamoDB locking. @default none (S3 lock files only) */
  readonly lockTable?: string;
}

export interface VpcGithubRunnerProps {
  /**
   * CodeBuild project name. A GitHub job runs on it with
   * `runs-on: codebuild-<projectName>-${{ github.run_id }}-${{ github.run_attempt }}`.
   */
  readonly projectName: string;
  /** The network: builds run in its private subnets (they reach GitHub and AWS through the NAT gateways). */
  readonly network: INetwork;
  /** The cluster the runner deploys into: it gets an access entry with cluster-admin scope and eks:DescribeCluster. */
  readonly cluster: IEksCluster;
  /** ARN of the CodeConnections (or CodeStar Connections) connection to GitHub the runner registers through. */
  readonly connectionArn: string;
  /** GitHub repository whose jobs the runner takes, "owner/name". */
  readonly repository: string;
  /**
   * Names of the workflows whose queued jobs start a runner build (a WORKFLOW_NAME webhook filter).
   * @default every workflow of the repository
   */
  readonly workflowNames?: readonly string[];
  /** CodeBuild compute type, e.g. "BUILD_GENERAL1_SMALL". */
  readonly computeType: string;
  /** CodeBuild-managed Linux image; it must carry the AWS CLI (exec auth of the Kubernetes providers). */
  readonly image: string;
  /** The state objects and lock files the jobs may read and write; nothing else in the bucket. */
  readonly state: RunnerStateAccess;
  /** Minutes a runner build (one GitHub job) may take; CodeBuild allows 5 to 2160. @default 120 */
  readonly buildTimeoutMinutes?: number;
  /** Days to keep the builds' logs; one of the values CloudWatch Logs accepts. @default 30 */
  readonly logRetentionDays?: number;
}

/** EKS access policy of the runner: it installs CRDs, cluster roles, namespaces and operators. */
export const RUNNER_ACCESS_POLICY = "AmazonEKSClusterAdminPolicy";

const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/;
const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const CONNECTION_ARN = /^arn:[a-z-]+:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]+$/;

/**
 * A self-hosted GitHub Actions runner inside the VPC, as AWS CodeBuild runs
 * them: a CodeBuild project in the private subnets and a webhook on
 * WORKFLOW_JOB_QUEUED. Each queued job asking for
 * `codebuild-<project>-<run id>-<attempt>` starts one build, which registers
 * an ephemeral runner with GitHub through the connection and runs that job.
 *
 * The builds reach the cluster's private API endpoint (the cluster's security
 * group admits 443 from the VPC), so `terraform plan` of the in-cluster stacks
 * works without a public endpoint. Their role may touch only the environment's
 * state objects, describe this cluster, write its own logs and manage the
 * build's network interfaces; inside the cluster it is cluster-admin (access
 * entry + AmazonEKSClusterAdminPolicy), because the in-cluster stacks install
 * CRDs, cluster roles and operators.
 */
export class VpcGithubRunner extends Construct {
  readonly projectName: string;
  readonly projectArn: string;
  /** The builds' IAM role; also the principal of the cluster access entry. */
  readonly roleArn: string;
  readonly roleName: string;
  /** Security group of the builds' network interfaces (egress to 443 only). */
  readonly securityGroupId: string;
  readonly logGroupName: string;
  /** The `runs-on` label a GitHub job uses to run on this runner. */
  readonly runsOn: string;

  constructor(scope: Construct, id: string, props: VpcGithubRunnerProps) {
    super(scope, id);
    const problems = propsProblems(props);
    if (problems.length) throw new Error(`${this.node.path}: ${problems.join("; ")}`);
    const name = props.projectName;
    const region = props.cluster.region;
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const partition = new DataAwsPartition(this, "partition").partition;
    const projectArn = `arn:${partition}:codebuild:${region}:${account}:project/${name}`;

    // Created here so retention is ours; CodeBuild would otherwise create it with logs kept forever.
    const logGroup = new CloudwatchLogGroup(this, "logs", {
      name: `/aws/codebuild/${name}`,
      retentionInDays: props.logRetentionDays ?? 30,
    });

    const sg = new SecurityGroup(this, "sg", {
      name: `${name}-runner`,
      description: `GitHub Actions runner builds of ${name}: egress to HTTPS only`,
      vpcId: props.network.vpcId,
    });
    // Terraform removes the default allow-all egress rule of a new group; this is the only one.
    // 443 covers GitHub, the AWS APIs, the Terraform registry, chart registries and the cluster API
    // (DNS goes to the VPC resolver, which security groups do not filter).
    new VpcSecurityGroupEgressRule(this, "https-out", {
      securityGroupId: sg.id,
      description: "HTTPS: GitHub, AWS APIs, Terraform registry, Helm registries, the cluster API",
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
    });

    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["codebuild.amazonaws.com"] }],
          // Only this project may pass the role to CodeBuild (confused deputy).
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [account] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [projectArn] },
          ],
        },
      ],
    });
    // A fixed name, no path: the EKS access entry names this ARN, and tokens carry the role's name.
    const role = new IamRole(this, "role", {
      name: `${name}-runner`.slice(0, 64),
      description: `GitHub Actions runner in the VPC (${name})`,
      assumeRolePolicy: trust.json,
    });

    const policy = new DataAwsIamPolicyDocument(this, "permissions", {
      statement: permissionStatements(props, { partition, account, region, logGroupArn: logGroup.arn }),
    });
    const rolePolicy = new IamRolePolicy(this, "role-policy", { name: "runner", role: role.name, policy: policy.json });

    const project = new CodebuildProject(this, "project", {
      name,
      description: `Self-hosted GitHub Actions runner in the VPC for ${props.repository}`,
      serviceRole: role.arn,
      buildTimeout: props.buildTimeoutMinutes ?? 120,
      artifacts: { type: "NO_ARTIFACTS" },
      environment: {
        type: "LINUX_CONTAINER",
        computeType: props.computeType,
        image: props.image,
        imagePullCredentialsType: "CODEBUILD",
        privilegedMode: false,
      },
      source: {
        type: "GITHUB",
        location: `https://github.com/${props.repository}.git`,
        gitCloneDepth: 1,
        // Project-level credential: CodeBuild keeps one account-wide credential per server type and
        // region, so an aws_codebuild_source_credential per environment would replace the others'.
        auth: { type: "CODECONNECTIONS", resource: props.connectionArn },
      },
      logsConfig: {
        cloudwatchLogs: { status: "ENABLED", groupName: logGroup.name },
        s3Logs: { status: "DISABLED" },
      },
      vpcConfig: {
        vpcId: props.network.vpcId,
        subnets: [...props.network.privateSubnetIds],
        securityGroupIds: [sg.id],
      },
      // CreateProject checks that the role may use the connection and the VPC: the policy must exist first.
      dependsOn: [rolePolicy, logGroup],
    });

    const filters = [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }];
    if (props.workflowNames?.length) {
      filters.push({ type: "WORKFLOW_NAME", pattern: `^(${props.workflowNames.map(escapeRegex).join("|")})$` });
    }
    new CodebuildWebhook(this, "webhook", {
      projectName: project.name,
      buildType: "BUILD",
      filterGroup: [{ filter: filters }],
    });

    const entry = new EksAccessEntry(this, "access-entry", {
      clusterName: props.cluster.clusterName,
      principalArn: role.arn,
      type: "STANDARD",
    });
    // Both arguments come from the entry, so Terraform creates the association after it.
    new EksAccessPolicyAssociation(this, "cluster-admin", {
      clusterName: entry.clusterName,
      principalArn: entry.principalArn,
      policyArn: `arn:${partition}:eks::aws:cluster-access-policy/${RUNNER_ACCESS_POLICY}`,
      accessScope: { type: "cluster" },
    });

    this.projectName = name;
    this.projectArn = project.arn;
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.securityGroupId = sg.id;
    this.logGroupName = logGroup.name;
    this.runsOn = `codebuild-${name}-\${{ github.run_id }}-\${{ github.run_attempt }}`;
  }
}

/** The role's whole policy: state, this cluster, its own logs, the build's network interfaces, the connection. */
function permissionStatements(
  props: VpcGithubRunnerProps,
  at: { partition: string; account: string; region: string; logGroupArn: string },
): DataAwsIamPolicyDocumentStatement[] {
  const { partition, account, region } = at;
  const state = props.state;
  const bucketArn = `arn:${partition}:s3:::${state.bucket}`;
  const connectionService = props.connectionArn.split(":")[2];
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    {
      sid: "StateObjectsAndLockFiles",
      effect: "Allow",
      actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      resources: [`${bucketArn}/${state.objectPrefix}*`],
    },
    {
      sid: "StateListing",
      effect: "Allow",
      actions: ["s3:ListBucket"],
      resources: [bucketArn],
      condition: [{ test: "StringLike", variable: "s3:prefix", values: [`${state.objectPrefix}*`] }],
    },
    {
      sid: "DescribeThisCluster",
      effect: "Allow",
      actions: ["eks:DescribeCluster"],
      resources: [`arn:${partition}:eks:${region}:${account}:cluster/${props.cluster.clusterName}`],
    },
    {
      sid: "OwnBuildLogs",
      effect: "Allow",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: [`${at.logGroupArn}:*`],
    },
    {
      // What CodeBuild needs to place a build in a VPC; these actions take no narrower resource.
      sid: "BuildNetworkInterfaces",
      effect: "Allow",
      actions: [
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
      ],
      resources: ["*"],
    },
    {
      sid: "BuildNetworkInterfacePermission",
      effect: "Allow",
      actions: ["ec2:CreateNetworkInterfacePermission"],
      resources: [`arn:${partition}:ec2:${region}:${account}:network-interface/*`],
      condition: [
        {
          test: "StringEquals",
          variable: "ec2:Subnet",
          values: props.network.privateSubnetIds.map((id) => `arn:${partition}:ec2:${region}:${account}:subnet/${id}`),
        },
        { test: "StringEquals", variable: "ec2:AuthorizedService", values: ["codebuild.amazonaws.com"] },
      ],
    },
    {
      // The connection vends the GitHub token that registers the runner; the IAM prefix follows the ARN's.
      sid: "GitHubConnection",
      effect: "Allow",
      actions: ["GetConnectionToken", "GetConnection", "UseConnection"].map((a) => `${connectionService}:${a}`),
      resources: [props.connectionArn],
    },
  ];
  if (state.lockTable) {
    statements.push({
      sid: "StateLockTable",
      effect: "Allow",
      actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
      resources: [`arn:${partition}:dynamodb:${state.region}:${account}:table/${state.lockTable}`],
    });
  }
  return statements;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** What CodeBuild, IAM and CloudWatch need of these props. */
function propsProblems(props: VpcGithubRunnerProps): string[] {
  const problems: string[] = [];
  if (!PROJECT_NAME.test(props.projectName)) {
    problems.push(`projectName ${JSON.stringify(props.projectName)} must be 2-255 of A-Z a-z 0-9 - _, starting with a letter or digit`);
  } else if (`${props.projectName}-runner`.length > 64) {
    problems.push(
      `projectName ${JSON.stringify(props.projectName)} is too long: the role "<projectName>-runner" must fit IAM's 64 characters`,
    );
  }
  if (!REPOSITORY.test(props.repository)) problems.push(`repository ${JSON.stringify(props.repository)} must be "owner/name"`);
  if (!CONNECTION_ARN.test(props.connectionArn)) {
    problems.push(`connectionArn ${JSON.stringify(props.connectionArn)} must be a codeconnections or codestar-connections connection ARN`);
  }
  if (props.network.privateSubnetIds.length === 0) problems.push("network has no private subnets to run the builds in");
  const timeout = props.buildTimeoutMinutes;
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 5 && timeout <= 2160)) {
    problems.push(`buildTimeoutMinutes ${timeout} must be a whole number from 5 to 2160 (CodeBuild's limits)`);
  }
  if (props.logRetentionDays !== undefined && !CLOUDWATCH_LOG_RETENTION_DAYS.includes(props.logRetentionDays)) {
    problems.push(`logRetentionDays ${props.logRetentionDays} is not a retention period CloudWatch Logs accepts`);
  }
  if (props.workflowNames?.some((w) => w.trim().length === 0)) problems.push("workflowNames contains an empty name");
  const prefix = props.state.objectPrefix;
  if (prefix.length === 0 || /[*?]/.test(prefix)) {
    problems.push(`state.objectPrefix ${JSON.stringify(prefix)} must be a non-empty key prefix without wildcards`);
  }
  return problems;
}
