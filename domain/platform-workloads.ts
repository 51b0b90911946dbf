/**
 * Resource requests of the pods the platform runs besides the configured
 * workloads (brokers, gateway): operators, Kafka operands, Karpenter, the EKS
 * add-ons and the DaemonSets on every node. The constructs that deploy the
 * kit's own pods read their requests from here, and the scheduling planner
 * (domain/scheduling-planner.ts) counts the same numbers, so the two cannot
 * drift; test/scheduling.test.ts checks them against the synthesized objects.
 */

/** Requests of one pod (the sum over its containers). */
export interface PodRequests {
  /** CPU, millicores. */
  readonly cpuMillis: number;
  /** Memory, MiB. */
  readonly memoryMiB: number;
}

/** A container's requests and memory limit (request = limit), MiB. */
export interface ContainerSize {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

/** The Strimzi cluster operator (one replica; the chart's default CPU limit stays). */
export const STRIMZI_OPERATOR: ContainerSize = { cpuMillis: 200, memoryMiB: 384 };

/** Containers of the Kafka operands Strimzi runs next to the brokers, on the system pool. */
export const KAFKA_OPERANDS = {
  /** Entity operator pod: topic operator container. */
  topicOperator: { cpuMillis: 100, memoryMiB: 512 },
  /** Entity operator pod: user operator container. */
  userOperator: { cpuMillis: 100, memoryMiB: 512 },
  /** Cruise Control: its workload model for 12 brokers and a few hundred partitions fits 2 GiB. */
  cruiseControl: { cpuMillis: 500, memoryMiB: 2048 },
  /** Kafka Exporter. */
  kafkaExporter: { cpuMillis: 100, memoryMiB: 256 },
} as const satisfies Readonly<Record<string, ContainerSize>>;

/** KRaft controller pod size unless configured otherwise (constructs/kafka/kafka-cluster.ts). */
export const DEFAULT_KAFKA_CONTROLLER = { cpu: 1, memoryMiB: 4096, heapMiB: 1024 } as const;

/**
 * The Karpenter controller: two replicas, at most one per node (the chart's
 * required pod anti-affinity on kubernetes.io/hostname), spread over zones
 * (its DoNotSchedule topology spread constraint), never on a node Karpenter
 * launched. 500m and 1 GiB: the getting-started guide's 1 CPU is for a
 * controller that also runs without limits on small clusters; 500m leaves the
 * burst to the scheduler, and memory is request = limit.
 */
export const KARPENTER_CONTROLLER = { replicas: 2, cpuMillis: 500, memoryMiB: 1024 } as const;

/** A Deployment an EKS add-on runs, with the requests of its pod. */
export interface AddonDeployment {
  /** EKS add-on name (config `eks.addons` key). */
  readonly addon: string;
  readonly name: string;
  readonly replicas: number;
  readonly pod: PodRequests;
  /** Where the figures come from. */
  readonly source: string;
}

/**
 * Deployments of the EKS add-ons. None tolerates the kit's pool taints, so
 * they land on untainted (system) nodes.
 */
export const ADDON_DEPLOYMENTS: readonly AddonDeployment[] = [
  {
    addon: "coredns",
    name: "CoreDNS",
    replicas: 2,
    pod: { cpuMillis: 100, memoryMiB: 70 },
    source: "EKS CoreDNS add-on: two replicas by default (EKS user guide, CoreDNS), requests 100m / 70Mi",
  },
  {
    addon: "metrics-server",
    name: "metrics-server",
    replicas: 2,
    pod: { cpuMillis: 100, memoryMiB: 200 },
    source:
      "kubernetes-sigs/metrics-server manifests: requests 100m / 200Mi; counted at two replicas, on the safe side (the add-on's replica count varies by version)",
  },
  {
    addon: "aws-ebs-csi-driver",
    name: "EBS CSI controller",
    replicas: 2,
    // ebs-plugin, csi-provisioner, csi-attacher, csi-resizer at 10m / 40Mi; liveness-probe 10m / 32Mi.
    pod: { cpuMillis: 50, memoryMiB: 192 },
    source: "kubernetes-sigs/aws-ebs-csi-driver chart 2.64.0: controller.replicaCount 2, controller.resources 10m/40Mi per container",
  },
];

/** A DaemonSet that runs one pod on every node of every pool (all of these tolerate every taint). */
export interface NodeDaemonSet {
  /** EKS add-on that installs it. */
  readonly addon: string;
  readonly name: string;
  readonly pod: PodRequests;
  readonly source: string;
}

export const NODE_DAEMONSETS: readonly NodeDaemonSet[] = [
  {
    addon: "vpc-cni",
    name: "aws-node",
    pod: { cpuMillis: 25, memoryMiB: 0 },
    source: "aws/amazon-vpc-cni-k8s chart 1.23.1: resources.requests.cpu 25m; the node agent container requests nothing",
  },
  { addon: "kube-proxy", name: "kube-proxy", pod: { cpuMillis: 100, memoryMiB: 0 }, source: "EKS kube-proxy add-on: requests cpu 100m" },
  {
    addon: "aws-ebs-csi-driver",
    name: "ebs-csi-node",
    // ebs-plugin 10m / 40Mi, node-driver-registrar 10m / 32Mi, liveness-probe 10m / 32Mi.
    pod: { cpuMillis: 30, memoryMiB: 104 },
    source: "kubernetes-sigs/aws-ebs-csi-driver chart 2.64.0: node.resources and the sidecar defaults in templates/_node.tpl",
  },
];
