import type { PlanningAssumptions } from "../domain/capacity-planner";

/**
 * The typed shape of one environment. Every per-environment difference in the
 * kit lives here; constructs never branch on the environment's name.
 */

/** EC2 capacity type of a managed node group. */
export type CapacityType = "ON_DEMAND" | "SPOT";

/** What every pool declares, whoever launches its nodes. */
export interface NodePoolBase {
  /** EC2 instance types. SPOT pools need at least 3 of one size class. */
  readonly instanceTypes: readonly string[];
  readonly capacityType: CapacityType;
  /** Root volume size in GiB (gp3, encrypted). */
  readonly diskSizeGiB: number;
  /**
   * Taint the nodes with `platform.streaming-kit/pool=<name>:NoSchedule`, so only
   * pods that tolerate it land there. The label of the same key is always set.
   */
  readonly tainted: boolean;
}

/**
 * A pool of EKS managed node groups. Nothing resizes a group: the kit runs no
 * Cluster Autoscaler and Terraform ignores desired_size after creation, so a
 * group holds `desiredSize` nodes. Give the pool a `karpenter` block to let
 * Karpenter add nodes once the groups are full.
 */
export interface NodeGroupPoolConfig extends NodePoolBase {
  /** Who launches the pool's nodes. @default "node-group" */
  readonly provisioner?: "node-group";
  /** Node counts; per node group, so per availability zone when `nodeGroupPerAz` is set. */
  readonly minSize: number;
  readonly desiredSize: number;
  readonly maxSize: number;
  /**
   * One node group per availability zone (sizes are per zone) instead of one
   * group over all zones. For pools whose pods keep zonal EBS volumes: a pod must
   * come back in the zone of its volume, and a group per zone lets it.
   */
  readonly nodeGroupPerAz: boolean;
  /**
   * A Karpenter NodePool for the same pool (same label and taint) that
   * launches nodes when pods of the pool find no room on the groups.
   * @default none (the pool is its node groups only)
   */
  readonly karpenter?: KarpenterPoolSettings;
}

/** A pool whose every node Karpenter launches (a NodePool and its EC2NodeClass); no node group. */
export interface KarpenterPoolConfig extends NodePoolBase {
  readonly provisioner: "karpenter";
  readonly karpenter: KarpenterPoolSettings;
}

/** A node pool: managed node groups (optionally topped up by Karpenter) or Karpenter alone. */
export type NodePoolConfig = NodeGroupPoolConfig | KarpenterPoolConfig;

/** The Karpenter NodePool of a pool. */
export interface KarpenterPoolSettings {
  /**
   * NodePool `spec.limits`: the summed capacity of all nodes Karpenter runs
   * in this pool. Karpenter launches no node past them. Validation checks them
   * against the pool's pods at their autoscaler maximums.
   */
  readonly limits: {
    /** vCPUs. */
    readonly cpu: number;
    /** GiB. */
    readonly memoryGiB: number;
  };
  /**
   * What Karpenter may do to running nodes. "stateful": remove empty nodes
   * only (consolidationPolicy WhenEmpty after 30 minutes), never expire a node,
   * one node at a time; the pool's pods carry `karpenter.sh/do-not-disrupt`,
   * which also blocks drift under them. "stateless": remove or replace
   * underutilized nodes (WhenEmptyOrUnderutilized after 5 minutes), expire
   * nodes after 30 days, 10% of the nodes at a time.
   */
  readonly disruption: "stateful" | "stateless";
}

/** Settings of the Karpenter installation (needed when a pool has a `karpenter` block). */
export interface KarpenterConfig {
  /**
   * AMI of every node Karpenter launches, an EC2NodeClass alias:
   * `al2023@v<release>` pinned to an EKS AMI release
   * (github.com/awslabs/amazon-eks-ami/releases). A new value drifts, and so
   * replaces, every Karpenter node the disruption settings allow.
   * `al2023@latest` follows each release: refused in production.
   */
  readonly amiAlias: string;
}

/**
 * Node pools by name; the name is the pool's label value
 * (domain/node-pools.ts). The kit's workloads need the three roles below;
 * any other key adds a pool.
 */
export interface NodePoolsConfig {
  /** Operators, controllers, coordinators, the ingest gateway. On-demand, untainted. */
  readonly system: NodePoolConfig;
  /** Kafka brokers and controllers. On-demand, tainted; a node group per AZ, or a Karpenter NodePool (nodes land in their volume's zone). */
  readonly kafka: NodePoolConfig;
  /** Stateless consumers, executors, workers. SPOT, tainted. */
  readonly consumers: NodePoolConfig;
  readonly [pool: string]: NodePoolConfig;
}

export interface NetworkConfig {
  /** VPC CIDR, /16 to /20. */
  readonly vpcCidr: string;
  /** One public subnet per AZ, in AZ order. */
  readonly publicSubnetCidrs: readonly string[];
  /** One private subnet per AZ, in AZ order. Nodes live here. */
  readonly privateSubnetCidrs: readonly string[];
  /** NAT gateways: 1 (cheap, single-AZ egress) up to one per AZ. */
  readonly natGateways: number;
}

/** A JSON value, as an add-on's configuration takes it. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** An EKS add-on. */
export interface EksAddonConfig {
  /**
   * Pinned add-on version, e.g. "v1.19.2-eksbuild.1" (`aws eks describe-addon-versions`).
   * @default the version EKS picks for the cluster's Kubernetes version at creation
   */
  readonly version?: string;
  /**
   * The add-on's configuration values (`aws eks describe-addon-configuration`
   * shows the schema of a version), e.g. `{ enableNetworkPolicy: "true" }` for
   * vpc-cni. EKS checks them against the add-on version's schema at apply.
   * With `features.kafka` on, vpc-cni must enforce network policies.
   * @default none (the add-on's defaults)
   */
  readonly configurationValues?: { readonly [key: string]: JsonValue };
}

export interface EksConfig {
  /**
   * Kubernetes minor version, e.g. "1.35". Validation refuses versions past
   * EKS support and warns, with the date, when standard support ends within
   * 60 days or has ended (domain/eks-versions.ts).
   */
  readonly kubernetesVersion: string;
  /**
   * The cluster's `upgrade_policy`. "STANDARD": when standard support ends,
   * EKS upgrades the control plane to the next version. "EXTENDED": it stays,
   * at about 6x the control-plane fee, for up to 12 more months.
   */
  readonly supportType: "STANDARD" | "EXTENDED";
  /** Whether the API endpoint is reachable from outside the VPC. */
  readonly endpointPublicAccess: boolean;
  /**
   * CIDRs allowed to reach a public endpoint. World-open (0.0.0.0/0) is an error
   * in production and a warning elsewhere; an empty list with a public endpoint
   * is refused (EKS would read it as 0.0.0.0/0).
   */
  readonly publicAccessCidrs: readonly string[];
  /** Days to keep control-plane logs; one of the values CloudWatch Logs accepts. */
  readonly logRetentionDays: number;
  /**
   * EKS add-ons by name. The kit needs vpc-cni, kube-proxy, coredns,
   * aws-ebs-csi-driver (the gp3 StorageClass; it gets its IRSA role) and
   * metrics-server (the HPAs); others may be added.
   */
  readonly addons: Readonly<Record<string, EksAddonConfig>>;
}

/** The load the environment must carry; the capacity planner sizes Kafka from it. */
export interface LoadConfig {
  readonly eventsPerDay: number;
  /** Average serialized event size before compression. */
  readonly bytesPerEvent: number;
  /** Peak rate over the daily average (diurnal peak). */
  readonly peakFactor: number;
  readonly retentionDays: number;
  /** Uncompressed bytes over compressed bytes on disk (e.g. 2.5 for zstd on JSON). */
  readonly compressionRatio: number;
}

/** The Kafka cluster. The capacity planner checks these numbers against `load`. */
export interface KafkaConfig {
  /** Apache Kafka version; must be one Strimzi 1.2 supports. */
  readonly version: string;
  /** Broker count: the HPA moves between min and max; initial is the first deploy. */
  readonly brokers: { readonly min: number; readonly initial: number; readonly max: number };
  /** KRaft controllers (controller-only node pool). 3 tolerates one loss. */
  readonly controllers: number;
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  /** Disk per broker. @default the capacity planner's figure at the minimum broker count */
  readonly brokerDiskGiB?: number;
  /** Broker pod requests (= limits for memory). Kafka wants a small heap and a large page cache. */
  readonly brokerResources: {
    /** CPU request in cores. */
    readonly cpu: number;
    /** Memory request and limit, MiB (the same unit as ingest.resources.memoryMiB). */
    readonly memoryMiB: number;
    /** JVM heap, MiB; the rest of memoryMiB is page cache. */
    readonly heapMiB: number;
  };
  readonly autoscaling: {
    /** Average broker CPU the HPA aims for, percent of requests. */
    readonly targetCpuUtilization: number;
    readonly scaleDownStabilizationSeconds: number;
  };
  /**
   * Refuse Terraform plans that destroy or replace the Kafka cluster, its node
   * pools or its topics (their data goes with them). Turn off only where the
   * whole environment is thrown away at will; production refuses false.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /** Consumers in the largest consumer group; every event topic gets at least this many partitions. */
  readonly maxConsumerParallelism: number;
  /** Overrides of the planner's engineering assumptions (domain/capacity-planner.ts). */
  readonly planning?: Partial<PlanningAssumptions>;
}

/** The ingest gateway deployment. */
export interface IngestConfig {
  /** Container image with a tag or digest (never `latest`). */
  readonly image: string;
  readonly replicas: { readonly min: number; readonly max: number };
  /** CPU request (cores) and memory (MiB, request = limit) per replica. */
  readonly resources: { readonly cpu: number; readonly memoryMiB: number };
  readonly targetCpuUtilization: number;
  /** What a batch with some invalid events gets: rejected whole, or the valid part accepted. */
  readonly partialBatchPolicy: "reject-batch" | "accept-valid";
  /**
   * Expose the gateway to producers outside the cluster through a Network Load
   * Balancer (AWS Load Balancer Controller) that terminates TLS. See docs/ingress.md.
   * @default none: the gateway is reachable only inside the cluster
   */
  readonly loadBalancer?: IngestLoadBalancerConfig;
}

/** The gateway's Network Load Balancer. */
export interface IngestLoadBalancerConfig {
  /**
   * "internal": in the private subnets, reachable from the VPC and networks
   * routed to it; "internet-facing": in the public subnets. Production refuses
   * internet-facing unless `allowInternetFacing` is set with `sourceRanges`.
   */
  readonly scheme: "internal" | "internet-facing";
  /** ACM certificate of the TLS listener (443): `arn:aws:acm:<region>:<account>:certificate/<id>`, in the environment's region. */
  readonly certificateArn: string;
  /**
   * Client CIDRs the load balancer's security group admits on 443
   * (`spec.loadBalancerSourceRanges`).
   * @default internal: the VPC CIDR; internet-facing: 0.0.0.0/0 (refused in production, a warning elsewhere)
   */
  readonly sourceRanges?: readonly string[];
  /**
   * Production only: accept an internet-facing load balancer (it still needs `sourceRanges`, none world-open).
   * @default false
   */
  readonly allowInternetFacing?: boolean;
}

/**
 * Components that can be switched off per environment. Only what the kit builds
 * is here; validation refuses any other key.
 */
export interface FeatureToggles {
  /** The Strimzi operator and the Kafka cluster stacks. */
  readonly kafka: boolean;
  /** The ingest gateway stack; needs `kafka`. */
  readonly ingest: boolean;
}

export interface StateBackendConfig {
  /** S3 bucket that holds the Terraform state. */
  readonly bucket: string;
  /** Key prefix; each stack's state is `<prefix>/<stack>.tfstate`. */
  readonly keyPrefix: string;
  readonly region: string;
  /**
   * State is locked with a lock file next to it in S3 (`use_lockfile`,
   * Terraform >= 1.10). Name a DynamoDB table here only while migrating from
   * DynamoDB locking (deprecated since Terraform 1.11): both locks are taken.
   * @default none (S3 lock file only)
   */
  readonly dynamodbLockTable?: string;
}

/** CodeBuild compute types a Linux container build can run on. */
export type CiRunnerComputeType =
  "BUILD_GENERAL1_SMALL" | "BUILD_GENERAL1_MEDIUM" | "BUILD_GENERAL1_LARGE" | "BUILD_GENERAL1_XLARGE" | "BUILD_GENERAL1_2XLARGE";

/**
 * The GitHub Actions runner inside the VPC (`<env>-ci-runner`): a CodeBuild
 * project in the private subnets that GitHub jobs of the deploy workflow run
 * on, so `terraform plan` of the in-cluster stacks reaches the private API.
 */
export interface CiRunnerConfig {
  /**
   * ARN of an AWS CodeConnections (or CodeStar Connections) connection to
   * GitHub, created and authorized once in the console (Developer Tools >
   * Settings > Connections); the kit does not create it because the GitHub
   * App handshake needs a person. CodeBuild registers the runner with it.
   */
  readonly connectionArn: string;
  /** The repository whose deploy workflow uses the runner, as GitHub writes it: "owner/name". */
  readonly repository: string;
  /** CodeBuild compute type of a runner build (SMALL: 2 vCPU, 3 GB; MEDIUM: 4 vCPU, 7 GB). */
  readonly computeType: CiRunnerComputeType;
  /**
   * A CodeBuild-managed x86_64 Linux image, e.g. "aws/codebuild/amazonlinux-x86_64-standard:5.0".
   * It must carry the AWS CLI v2: the Kubernetes and Helm providers get their tokens from `aws eks get-token`.
   */
  readonly image: string;
}

export interface EnvironmentConfig {
  /** Short name; every stack name starts with it (`prod-network`). */
  readonly name: string;
  /**
   * Production environments get the strict checks (private or allow-listed API
   * endpoint, brokers a multiple of the AZ count, ...).
   */
  readonly production: boolean;
  readonly region: string;
  /** Exactly three AZs of `region`. */
  readonly availabilityZones: readonly string[];
  /** Team that owns the environment; becomes the `owner` cost-allocation tag. */
  readonly owner: string;
  readonly network: NetworkConfig;
  readonly eks: EksConfig;
  readonly nodePools: NodePoolsConfig;
  /** The Karpenter installation. @default none (required when a pool has a `karpenter` block) */
  readonly karpenter?: KarpenterConfig;
  readonly load: LoadConfig;
  readonly kafka: KafkaConfig;
  readonly ingest: IngestConfig;
  readonly features: FeatureToggles;
  readonly state: StateBackendConfig;
  readonly ciRunner: CiRunnerConfig;
}
