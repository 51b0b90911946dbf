import { HttpProvider } from "@cdktf/provider-http/lib/provider";
import { Construct } from "constructs";
import { StrimziOperator } from "../constructs/kafka/strimzi-operator";
import { KAFKA_NAMESPACE, STRIMZI_NAMESPACE } from "../domain/names";
import { schedulingFor } from "../domain/node-pools";
import { InClusterLayerProps, InClusterStack } from "./in-cluster-stack";
import { addOutput } from "./kit-stack";

/**
 * `<env>-kafka-operator`: the Strimzi operator and its CRDs. Separate from the
 * Kafka stack because kubernetes_manifest needs the CRDs at plan time. The
 * CRDs are read at plan time from Strimzi's release with hashicorp/http
 * (constructs/helm/chart-crds.ts), hence the provider here.
 */
export class KafkaOperatorStack extends InClusterStack {
  readonly operator: StrimziOperator;

  constructor(scope: Construct, props: InClusterLayerProps) {
    super(scope, { ...props, layer: "kafka-operator" });
    new HttpProvider(this, "http");
    this.operator = new StrimziOperator(this, "strimzi", {
      operatorNamespace: STRIMZI_NAMESPACE,
      watchNamespace: KAFKA_NAMESPACE,
      scheduling: schedulingFor("system"),
    });
    addOutput(this, "strimzi_chart_version", this.operator.chartVersion, "Version of the strimzi-kafka-operator Helm chart installed");
    addOutput(this, "kafka_namespace", this.operator.watchNamespace, "Namespace the Strimzi operator watches (the Kafka cluster's)");
  }
}
