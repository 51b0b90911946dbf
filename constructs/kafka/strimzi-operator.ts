import { Release } from "@cdktf/provider-helm/lib/release";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { PoolScheduling } from "../../domain/node-pools";

/** Chart pinned by the kit; bump together with SUPPORTED_KAFKA_VERSIONS (config/validate-kafka.ts). */
export const STRIMZI_CHART = {
  repository: "oci://quay.io/strimzi-helm",
  chart: "strimzi-kafka-operator",
  version: "1.2.0",
} as const;

export interface StrimziOperatorProps {
  /** Namespace of the operator itself. @default "strimzi-system" */
  readonly operatorNamespace?: string;
  /** Namespace the operator watches, where the Kafka cluster lives. Created here. */
  readonly watchNamespace: string;
  /** Where the operator pod runs (the system pool). */
  readonly scheduling: PoolScheduling;
  /** @default STRIMZI_CHART.version */
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

  constructor(scope: Construct, id: string, props: StrimziOperatorProps) {
    super(scope, id);
    const operatorNamespace = props.operatorNamespace ?? "strimzi-system";
    if (operatorNamespace === props.watchNamespace) {
      throw new Error(`StrimziOperator ${id}: operatorNamespace and watchNamespace must differ (got ${operatorNamespace} for both)`);
    }
    const chartVersion = props.chartVersion ?? STRIMZI_CHART.version;
    // The watched namespace must exist before the chart creates RoleBindings in it.
    const watched = new NamespaceV1(this, "watch-namespace", { metadata: { name: props.watchNamespace } });
    const release = new Release(this, "release", {
      name: "strimzi",
      repository: STRIMZI_CHART.repository,
      chart: STRIMZI_CHART.chart,
      version: chartVersion,
      namespace: operatorNamespace,
      createNamespace: true,
      atomic: true,
      wait: true,
      timeout: 600,
      values: [
        JSON.stringify({
          watchNamespaces: [props.watchNamespace],
          watchAnyNamespace: false,
          replicas: 1,
          nodeSelector: props.scheduling.nodeSelector,
          tolerations: props.scheduling.tolerations,
          resources: { requests: { cpu: "200m", memory: "384Mi" }, limits: { memory: "384Mi" } },
        }),
      ],
      dependsOn: [watched],
    });
    this.operatorNamespace = operatorNamespace;
    this.watchNamespace = props.watchNamespace;
    this.chartVersion = chartVersion;
    this.releaseName = release.name;
  }
}
