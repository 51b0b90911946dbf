import { Construct } from "constructs";
import { ALL_CHARTS, CHARTS, findChart, StrimziChartEntry } from "../../domain/charts";
import { cpuQuantity, memoryQuantity } from "../../domain/k8s-quantity";
import { PoolScheduling, Toleration } from "../../domain/node-pools";
import { STRIMZI_OPERATOR } from "../../domain/platform-workloads";
import { HelmChart } from "../helm/helm-chart";
import { INamespace } from "../k8s/namespace";
import { ApiServerAddresses, apiServerEgress, hasLabel, NAMESPACE_NAME_LABEL, tcpPorts } from "../k8s/network-policy";

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
  /** Extra environment variables of the operator container (STRIMZI_* settings without a value of their own). Default none. */
  readonly extraEnvs?: readonly { readonly name: string; readonly value: string }[];
}

/** Labels of the cluster operator's pod (chart template 060-Deployment-strimzi-cluster-operator.yaml). */
export const STRIMZI_OPERATOR_POD_LABELS = { name: "strimzi-cluster-operator", "strimzi.io/kind": "cluster-operator" } as const;
/** The operator's HTTP port (health and Prometheus metrics). */
export const STRIMZI_OPERATOR_METRICS_PORT = 8080;
/** Label every pod Strimzi runs for a Kafka cluster (brokers, controllers, entity operator, Cruise Control, Kafka Exporter) carries. */
export const STRIMZI_CLUSTER_LABEL = "strimzi.io/cluster";
/**
 * Ports of the operands the cluster operator connects to (Strimzi 1.2.0,
 * KafkaCluster and CruiseControl): 9090 the KRaft control plane and Cruise
 * Control's REST API, 9091 the replication listener (admin client), 8443 the
 * Kafka agent (broker state during rolling restarts).
 */
export const STRIMZI_OPERAND_PORTS_FROM_OPERATOR: readonly number[] = [9090, 9091, 8443];

export interface StrimziOperatorProps {
  /** Namespace of the operator itself, owned by the caller (the chart does not create it). */
  readonly operatorNamespace: INamespace;
  /** Namespace the operator watches, where the Kafka cluster lives; owned by the caller. */
  readonly watchNamespace: INamespace;
  /**
   * Where the operator and its operands reach the Kubernetes API: the operator
   * watches and writes every Strimzi resource, the entity operator watches
   * topics and users, and the brokers' init container reads its node's zone.
   */
  readonly apiServer: ApiServerAddresses;
  /** Where the operator pod runs (the system pool). */
  readonly scheduling: PoolScheduling;
  /** A chart version registered in domain/charts.ts. @default STRIMZI_CHART.version */
  readonly chartVersion?: string;
}

/**
 * The Strimzi cluster operator from its Helm chart, pinned, watching one
 * namespace. It installs the kafka.strimzi.io/v1 CRDs, which is why the
 * Kafka cluster's custom resources live in a later stack.
 *
 * Its pods run under the restricted Pod Security Standard: the chart's own
 * security context already meets it, and the operator is told to write
 * restricted security contexts into every operand pod
 * (STRIMZI_POD_SECURITY_PROVIDER_CLASS=restricted; its default, the baseline
 * provider, sets none, which a restricted namespace refuses). Kafka Connect
 * Build cannot run under it; the kit does not use it.
 *
 * Network: it adds to the two namespaces the allows Strimzi needs beyond the
 * NetworkPolicies the operator generates itself (those open the operands'
 * ingress to exactly the peers Strimzi knows about): the operator's egress to
 * the API server and to the operands, and the operands' egress to each other
 * and to the API server.
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
    const operatorNamespace = props.operatorNamespace.name;
    const watchNamespace = props.watchNamespace.name;
    if (operatorNamespace === watchNamespace) {
      throw new Error(`${this.node.path}: operatorNamespace and watchNamespace must differ (got ${operatorNamespace} for both)`);
    }
    const chartVersion = props.chartVersion ?? STRIMZI_CHART.version;
    const entry = findChart(STRIMZI_CHART.chart, chartVersion);
    if (!entry) {
      throw new Error(
        `${this.node.path}: chartVersion ${JSON.stringify(chartVersion)} is not in the chart registry (domain/charts.ts); ` +
          `registered: ${ALL_CHARTS.filter((c) => c.chart === STRIMZI_CHART.chart)
            .map((c) => c.version)
            .join(", ")}`,
      );
    }
    props.operatorNamespace.allow("strimzi-cluster-operator", {
      pods: { matchLabels: STRIMZI_OPERATOR_POD_LABELS },
      egress: [
        apiServerEgress(props.apiServer),
        {
          to: [
            {
              namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: watchNamespace } },
              podSelector: hasLabel(STRIMZI_CLUSTER_LABEL),
            },
          ],
          ports: tcpPorts(...STRIMZI_OPERAND_PORTS_FROM_OPERATOR),
        },
      ],
    });
    // Ingress to the operands is Strimzi's own NetworkPolicies' (they name each peer and port); egress is not.
    props.watchNamespace.allow("strimzi-operands", {
      pods: hasLabel(STRIMZI_CLUSTER_LABEL),
      egress: [apiServerEgress(props.apiServer), { to: [{ podSelector: hasLabel(STRIMZI_CLUSTER_LABEL) }] }],
    });
    // Id "release" plus HelmChart's `Default` child keep the Terraform address the release always had.
    this.chart = new HelmChart<StrimziChartValues>(this, "release", {
      chart: entry,
      releaseName: "strimzi",
      namespace: operatorNamespace,
      createNamespace: false,
      atomic: true,
      wait: true,
      timeoutSeconds: 600,
      values: {
        watchNamespaces: [watchNamespace],
        watchAnyNamespace: false,
        replicas: 1,
        nodeSelector: props.scheduling.nodeSelector,
        tolerations: props.scheduling.tolerations,
        // Helm merges maps: the chart's default CPU limit (1000m) stays under this memory limit.
        resources: {
          requests: { cpu: cpuQuantity(STRIMZI_OPERATOR.cpuMillis / 1000), memory: memoryQuantity(STRIMZI_OPERATOR.memoryMiB) },
          limits: { memory: memoryQuantity(STRIMZI_OPERATOR.memoryMiB) },
        },
        extraEnvs: [{ name: "STRIMZI_POD_SECURITY_PROVIDER_CLASS", value: "restricted" }],
      },
      // The namespaces exist (RoleBindings go into the watched one) and their NetworkPolicies are in place:
      // the operator must reach the API server to become ready, and the release waits for that.
      dependsOn: [
        props.operatorNamespace.resource,
        props.watchNamespace.resource,
        props.operatorNamespace.networkPolicies,
        props.watchNamespace.networkPolicies,
      ],
    });
    this.operatorNamespace = operatorNamespace;
    this.watchNamespace = watchNamespace;
    this.chartVersion = chartVersion;
    this.releaseName = this.chart.releaseName;
  }
}
