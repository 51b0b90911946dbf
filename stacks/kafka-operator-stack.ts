import { Construct } from "constructs";
import { StrimziOperator } from "../constructs/kafka/strimzi-operator";
import { POD_READINESS_GATE_LABEL } from "../domain/load-balancing";
import { KAFKA_NAMESPACE, STRIMZI_NAMESPACE } from "../domain/names";
import { schedulingFor } from "../domain/node-pools";
import { InClusterLayerProps, InClusterStack } from "./in-cluster-stack";
import { addOutput } from "./kit-stack";

/**
 * `<env>-kafka-operator`: the Strimzi operator and its CRDs. Separate from the
 * Kafka stack because kubernetes_manifest needs the CRDs at plan time.
 */
export class KafkaOperatorStack extends InClusterStack {
  readonly operator: StrimziOperator;

  constructor(scope: Construct, props: InClusterLayerProps) {
    super(scope, { ...props, layer: "kafka-operator" });
    this.operator = new StrimziOperator(this, "strimzi", {
      operatorNamespace: STRIMZI_NAMESPACE,
      watchNamespace: KAFKA_NAMESPACE,
      scheduling: schedulingFor("system"),
      // The ingest gateway runs in the Kafka namespace; behind its NLB its pods get the controller's readiness gate.
      watchNamespaceLabels: props.env.features.ingest && props.env.ingest.loadBalancer ? POD_READINESS_GATE_LABEL : undefined,
    });
    addOutput(this, "strimzi_chart_version", this.operator.chartVersion, "Version of the strimzi-kafka-operator Helm chart installed");
    addOutput(this, "kafka_namespace", this.operator.watchNamespace, "Namespace the Strimzi operator watches (the Kafka cluster's)");
  }
}
