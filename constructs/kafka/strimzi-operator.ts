import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { ALL_CHARTS, CHARTS, findChart, StrimziChartEntry } from "../../domain/charts";
import { cpuQuantity, memoryQuantity } from "../../domain/k8s-quantity";
import { PoolScheduling, Toleration } from "../../domain/node-pools";
import { STRIMZI_OPERATOR } from "../../domain/platform-workloads";
import { HelmChart } from "../helm/helm-chart";

/**
 * Chart pinned by the kit (the registry entry in domain/charts.ts, which also
 * lists the Kafka versions this operator runs).
 */
export const STRIMZI_CHART: StrimziChartEntry = CHARTS.strimzi;

/** Kubernetes container resources, as the API spells them. */
export interface ContainerResources {
  /** What the scheduler reserves. */
  readonly requests?: { readonly cpu?: string; readonly memory?: string };
  /** Hard caps. A key left out keeps the chart's default limit (Helm merges maps). */
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}

/**
 * The values of chart strimzi-kafka-operator that the kit sets (a subset of
 * its values.yaml; test/helm-values.test.ts checks each key against the
 * pinned version's defaults).
 */
export interface StrimziChartValues {
  /** Namespaces the operator watches for Kafka resources; it gets RoleBindings in each. Default: the release namespace only. */
  readonly watchNamespaces?: readonly string[];
  /** Watch every namespace (cluster-wide RBAC). Default false. */
  readonly watchAnyNamespace?: boolean;
  /** Operator replicas (one leader; more are standbys through leader election). Default 1. */
  readonly replicas?: number;
  /** Node selector of the operator pod. Default none. */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Tolerations of the operator pod. Default none. */
  readonly tolerations?: readonly Toleration[];
  /** The operator container's resources. Default: requests 200m / 384Mi, limits 1000m / 384Mi. */
  readonly resources?: ContainerResources;
}

export interface StrimziOperatorProps {
  /** Namespace of the operator itself. @default STRIMZI_CHART.defaultNamespace ("strimzi-system") */
  readonly operatorNamespace?: string;
  /** Namespace the operator watches, where the Kafka cluster lives. Created here. */
  readonly watchNamespace: string;
  /** Where the operator pod runs (the system pool). */
  readonly scheduling: PoolScheduling;
  /** A chart version registered in domain/charts.ts. @default STRIMZI_CHART.version */
  readonly chartVersion?: string;
}

/**
 * The Strimzi cluster operator from its Helm chart, pinned, watching one
 * namespace. It installs the kafka.strimzi.io/v1 CRDs, which is why the
 * Kafka cluster's custom resources live in a later stack.
 */
export class StrimziOperator extends Construct {
  readonly operatorNamespace: string;
  readonly watchNamespace: string;
  readonly chartVersion: string;
  readonly releaseName: string;
  /** The Helm release. */
  readonly chart: HelmChart<StrimziChartValues>;

  constructor(scope: Construct, id: string, props: StrimziOperatorProps) {
    super(scope, id);
    const operatorNamespace = props.operatorNamespace ?? STRIMZI_CHART.defaultNamespace;
    if (operatorNamespace === props.watchNamespace) {
      throw new Error(`StrimziOperator ${id}: operatorNamespace and watchNamespace must differ (got ${operatorNamespace} for both)`);
    }
    const chartVersion = props.chartVersion ?? STRIMZI_CHART.version;
    const entry = findChart(STRIMZI_CHART.chart, chartVersion);
    if (!entry) {
      throw new Error(
        `StrimziOperator ${id}: chartVersion ${JSON.stringify(chartVersion)} is not in the chart registry (domain/charts.ts); ` +
          `registered: ${ALL_CHARTS.filter((c) => c.chart === STRIMZI_CHART.chart)
            .map((c) => c.version)
            .join(", ")}`,
      );
    }
    // The watched namespace must exist before the chart creates RoleBindings in it.
    const watched = new NamespaceV1(this, "watch-namespace", { metadata: { name: props.watchNamespace } });
    // Id "release" plus HelmChart's `Default` child keep the Terraform address the release always had.
    this.chart = new HelmChart<StrimziChartValues>(this, "release", {
      chart: entry,
      releaseName: "strimzi",
      namespace: operatorNamespace,
      createNamespace: true,
      atomic: true,
      wait: true,
      timeoutSeconds: 600,
      values: {
        watchNamespaces: [props.watchNamespace],
        watchAnyNamespace: false,
        replicas: 1,
        nodeSelector: props.scheduling.nodeSelector,
        tolerations: props.scheduling.tolerations,
        // Helm merges maps: the chart's default CPU limit (1000m) stays under this memory limit.
        resources: {
          requests: { cpu: cpuQuantity(STRIMZI_OPERATOR.cpuMillis / 1000), memory: memoryQuantity(STRIMZI_OPERATOR.memoryMiB) },
          limits: { memory: memoryQuantity(STRIMZI_OPERATOR.memoryMiB) },
        },
      },
      dependsOn: [watched],
    });
    this.operatorNamespace = operatorNamespace;
    this.watchNamespace = props.watchNamespace;
    this.chartVersion = chartVersion;
    this.releaseName = this.chart.releaseName;
  }
}
