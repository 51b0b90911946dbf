import { Construct } from "constructs";
import { IngestGateway } from "../constructs/ingest/ingest-gateway";
import { IKafkaCluster } from "../constructs/kafka/kafka-cluster";
import { IKafkaUser } from "../constructs/kafka/kafka-user";
import { schedulingFor } from "../domain/node-pools";
import { InClusterLayerProps, InClusterStack } from "./in-cluster-stack";
import { addOutput } from "./kit-stack";

export interface IngestStackProps extends InClusterLayerProps {
  /** The cluster the gateway produces to. */
  readonly kafka: IKafkaCluster;
  /** The gateway's Kafka user. */
  readonly kafkaUser: IKafkaUser;
  /** Helm release of kube-prometheus-stack, once a stack installs it (and its CRDs) before this one. @default no ServiceMonitor */
  readonly prometheusRelease?: string;
}

/**
 * `<env>-ingest`: the ingest gateway. On the system (on-demand) pool: it is
 * the platform's front door, and a spot reclaim of several replicas at once
 * would turn into 503s for every producer.
 */
export class IngestStack extends InClusterStack {
  readonly gateway: IngestGateway;

  constructor(scope: Construct, props: IngestStackProps) {
    super(scope, { ...props, layer: "ingest" });
    const g = props.env.ingest;
    this.gateway = new IngestGateway(this, "gateway", {
      kafka: props.kafka,
      kafkaUser: props.kafkaUser,
      image: g.image,
      replicas: g.replicas,
      resources: g.resources,
      targetCpuUtilization: g.targetCpuUtilization,
      partialBatchPolicy: g.partialBatchPolicy,
      scheduling: schedulingFor("system"),
      prometheusRelease: props.prometheusRelease,
    });
    addOutput(this, "ingest_gateway_url", this.gateway.url, "In-cluster URL of the ingest endpoint (POST event batches)");
  }
}
