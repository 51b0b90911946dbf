import { Construct } from "constructs";
import { ClusterAccess } from "../constructs/eks/cluster-access";
import { IEksCluster } from "../constructs/eks/eks-cluster";
import { schedulingFor } from "../domain/node-pools";
import { StrimziOperator } from "../constructs/kafka/strimzi-operator";
import { KitStack } from "./kit-stack";
import { LayerStackProps } from "./network-stack";

export interface KafkaOperatorStackProps extends LayerStackProps {
  readonly cluster: IEksCluster;
}

/** Namespace of the Kafka cluster and everything that talks to it. */
export const KAFKA_NAMESPACE = "kafka";

/**
 * `<env>-kafka-operator`: the Strimzi operator and its CRDs. Separate from the
 * cluster stack because kubernetes_manifest needs the CRDs at plan time.
 */
export class KafkaOperatorStack extends KitStack {
  readonly operator: StrimziOperator;

  constructor(scope: Construct, props: KafkaOperatorStackProps) {
    super(scope, { ...props, layer: "kafka-operator" });
    new ClusterAccess(this, "access", props.cluster);
    this.operator = new StrimziOperator(this, "strimzi", { watchNamespace: KAFKA_NAMESPACE, scheduling: schedulingFor("system") });
  }
}
