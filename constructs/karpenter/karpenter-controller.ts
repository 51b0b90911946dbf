import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { CHARTS, ChartEntry } from "../../domain/charts";
import { cpuQuantity, memoryQuantity } from "../../domain/k8s-quantity";
import { PoolScheduling, Toleration } from "../../domain/node-pools";
import { KARPENTER_CONTROLLER } from "../../domain/platform-workloads";
import { HelmChart } from "../helm/helm-chart";
import { ContainerResources } from "../kafka/strimzi-operator";

/** The controller chart and its CRD chart, pinned in domain/charts.ts. */
export const KARPENTER_CHART: ChartEntry = CHARTS.karpenter;
export const KARPENTER_CRD_CHART: ChartEntry = CHARTS.karpenterCrd;

/** Helm release of the controller; it names the Deployment and the service account (the chart's fullname). */
export const KARPENTER_RELEASE = "karpenter";
/** The controller's service account: the chart's fullname, which is the release name when it contains "karpenter". */
export const KARPENTER_SERVICE_ACCOUNT = KARPENTER_RELEASE;

/** Label EKS puts on every node of a managed node group (and on no other node). */
const NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup";
/** Label Karpenter puts on every node it launches. */
const KARPENTER_NODEPOOL_LABEL = "karpenter.sh/nodepool";

interface NodeSelectorTerm {
  readonly matchExpressions: readonly {
    readonly key: string;
    readonly operator: "In" | "Exists" | "DoesNotExist";
    readonly values?: readonly string[];
  }[];
}

/**
 * The values of chart karpenter 1.14.1 that the kit sets (each path is in the
 * registry entry's referenceValuePaths, read from the chart's values.yaml).
 */
export interface KarpenterChartValues {
  readonly settings: {
    /** EKS cluster name (required by the chart). */
    readonly clusterName: string;
    /** API server endpoint; set, Karpenter skips DescribeCluster at start. */
    readonly clusterEndpoint: string;
    /** SQS queue name; empty disables interruption handling. */
    readonly interruptionQueue: string;
    readonly featureGates: {
      /** Consolidation may replace a spot node with a cheaper spot node (ALPHA, default false). */
      readonly spotToSpotConsolidation: boolean;
    };
  };
  readonly serviceAccount: { readonly annotations: Readonly<Record<string, string>> };
  /** Controller replicas (leader election; default 2). */
  readonly replicas: number;
  readonly controller: { readonly resources: ContainerResources };
  /** Merged over the chart's `kubernetes.io/os: linux`. */
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly affinity: {
    readonly nodeAffinity: {
      readonly requiredDuringSchedulingIgnoredDuringExecution: { readonly nodeSelectorTerms: readonly NodeSelectorTerm[] };
    };
    readonly podAntiAffinity: { readonly requiredDuringSchedulingIgnoredDuringExecution: readonly { readonly topologyKey: string }[] };
  };
  /** "Default": the node's resolver, so the controller resolves AWS endpoints even when CoreDNS runs on nodes it must launch. */
  readonly dnsPolicy: "Default" | "ClusterFirst";
  /** The chart's default (CriticalAddonsOnly) plus the pool's, when the pool is tainted. */
  readonly tolerations?: readonly Toleration[];
}

export interface KarpenterControllerProps {
  /** EKS cluster name. */
  readonly clusterName: string;
  /** The cluster's API endpoint (https URL). */
  readonly clusterEndpoint: string;
  /** IAM role of the controller's service account (IRSA). */
  readonly controllerRoleArn: string;
  /** Name of the SQS queue the interruption rules feed. */
  readonly interruptionQueueName: string;
  /**
   * The pool the controller runs on. Its pods also require a managed node
   * group's node and refuse nodes Karpenter launched: a controller on a node
   * it may consolidate can remove the node it runs on, and none is left to
   * launch a new one.
   */
  readonly scheduling: PoolScheduling;
  /**
   * Let consolidation replace spot nodes with cheaper spot nodes. Karpenter
   * does it for a single node only when at least 15 cheaper instance types
   * remain, so a pool of fewer types is consolidated by deletion only.
   * @default true
   */
  readonly spotToSpotConsolidation?: boolean;
  /** Namespace of both releases. @default KARPENTER_CHART.defaultNamespace ("karpenter") */
  readonly namespace?: string;
  /** What must exist before the controller starts (IAM, queue, access entry). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * Karpenter from its Helm charts: karpenter-crd first (the CRDs as templates,
 * so a chart bump upgrades them), then the controller with `skip_crds`, on
 * node-group nodes of the given pool, with IRSA, the interruption queue and
 * the cluster endpoint set.
 */
export class KarpenterController extends Construct {
  /** Namespace of the controller. */
  readonly namespace: string;
  /** The CRD release: NodePools and EC2NodeClasses plan only after it (a later stack). */
  readonly crds: HelmChart;
  /** The controller release (skip_crds). */
  readonly controller: HelmChart<KarpenterChartValues>;

  constructor(scope: Construct, id: string, props: KarpenterControllerProps) {
    super(scope, id);
    const namespace = props.namespace ?? KARPENTER_CHART.defaultNamespace;
    if (!/^https:\/\//.test(props.clusterEndpoint) && !props.clusterEndpoint.includes("${")) {
      throw new Error(`${this.node.path}: clusterEndpoint ${JSON.stringify(props.clusterEndpoint)} must be the API server's https URL`);
    }
    if (KARPENTER_CHART.version !== KARPENTER_CRD_CHART.version) {
      throw new Error(
        `${this.node.path}: karpenter ${KARPENTER_CHART.version} and karpenter-crd ${KARPENTER_CRD_CHART.version} must be the same version (domain/charts.ts)`,
      );
    }
    this.crds = new HelmChart(this, "crds", {
      chart: KARPENTER_CRD_CHART,
      releaseName: "karpenter-crd",
      namespace,
      createNamespace: true,
    });
    const poolTerms = Object.entries(props.scheduling.nodeSelector).map(([key, value]) => ({
      key,
      operator: "In" as const,
      values: [value],
    }));
    const resources = { cpuMillis: KARPENTER_CONTROLLER.cpuMillis, memoryMiB: KARPENTER_CONTROLLER.memoryMiB };
    const values: KarpenterChartValues = {
      settings: {
        clusterName: props.clusterName,
        clusterEndpoint: props.clusterEndpoint,
        interruptionQueue: props.interruptionQueueName,
        featureGates: { spotToSpotConsolidation: props.spotToSpotConsolidation ?? true },
      },
      serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": props.controllerRoleArn } },
      replicas: KARPENTER_CONTROLLER.replicas,
      controller: {
        resources: {
          requests: { cpu: cpuQuantity(resources.cpuMillis / 1000), memory: memoryQuantity(resources.memoryMiB) },
          limits: { memory: memoryQuantity(resources.memoryMiB) },
        },
      },
      nodeSelector: props.scheduling.nodeSelector,
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: KARPENTER_NODEPOOL_LABEL, operator: "DoesNotExist" },
                  { key: NODEGROUP_LABEL, operator: "Exists" },
                  ...poolTerms,
                ],
              },
            ],
          },
        },
        // The chart's default, restated: the list would replace it anyway. One replica per node.
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname" }] },
      },
      dnsPolicy: "Default",
      // Lists replace the chart's: keep its CriticalAddonsOnly toleration next to the pool's.
      ...(props.scheduling.tolerations.length
        ? {
            tolerations: [
              { key: "CriticalAddonsOnly", operator: "Exists" as const, effect: "NoSchedule" as const },
              ...props.scheduling.tolerations,
            ],
          }
        : {}),
    };
    this.controller = new HelmChart<KarpenterChartValues>(this, "controller", {
      chart: KARPENTER_CHART,
      releaseName: KARPENTER_RELEASE,
      namespace,
      createNamespace: true,
      // The CRDs come from karpenter-crd, which Helm upgrades; the chart's crds/ copy would be installed once and go stale.
      skipCrds: true,
      values,
      dependsOn: [this.crds.release, ...(props.dependsOn ?? [])],
    });
    this.namespace = namespace;
  }
}
