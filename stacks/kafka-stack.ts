import { Construct } from "constructs";
import { planForEnvironment } from "../config/capacity";
import { KafkaCluster } from "../constructs/kafka/kafka-cluster";
import { KafkaTopics } from "../constructs/kafka/kafka-topics";
import { KafkaUser } from "../constructs/kafka/kafka-user";
import { CapacityPlan } from "../domain/capacity-planner";
import { DEAD_LETTER_TOPIC, TOPIC_CATALOG, TopicDefinition } from "../domain/event-catalog";
import { CONSUMER_GROUP_PREFIX, INGEST_GATEWAY_USER, KAFKA_CLIENT_LABEL, PLATFORM_CONSUMERS_USER } from "../domain/names";
import { schedulingFor } from "../domain/node-pools";
import { InClusterLayerProps, InClusterStack } from "./in-cluster-stack";
import { addOutput } from "./kit-stack";

export interface KafkaStackProps extends InClusterLayerProps {
  /** Namespace the Strimzi operator watches. */
  readonly namespace: string;
  /** StorageClass of broker and controller volumes. */
  readonly storageClassName: string;
  /** Topics to create. @default TOPIC_CATALOG */
  readonly catalog?: readonly TopicDefinition[];
}

/**
 * `<env>-kafka`: the Kafka cluster, its topics and its users, sized by the
 * capacity planner from the environment's declared load.
 */
export class KafkaStack extends InClusterStack {
  readonly kafka: KafkaCluster;
  readonly topics: KafkaTopics;
  readonly plan: CapacityPlan;
  readonly ingestUser: KafkaUser;
  readonly consumerUser: KafkaUser;

  constructor(scope: Construct, props: KafkaStackProps) {
    super(scope, { ...props, layer: "kafka" });
    const env = props.env;
    const catalog = props.catalog ?? TOPIC_CATALOG;
    this.plan = planForEnvironment(env, catalog);

    this.kafka = new KafkaCluster(this, "cluster", {
      namespace: props.namespace,
      version: env.kafka.version,
      brokers: env.kafka.brokers,
      controllers: env.kafka.controllers,
      replicationFactor: env.kafka.replicationFactor,
      minInsyncReplicas: env.kafka.minInsyncReplicas,
      retentionHours: env.load.retentionDays * 24,
      brokerStorage: { sizeGiB: this.plan.brokerDiskGiB, storageClassName: props.storageClassName },
      brokerResources: env.kafka.brokerResources,
      kafkaScheduling: schedulingFor("kafka"),
      operandScheduling: schedulingFor("system"),
      autoscaling: env.kafka.autoscaling,
      preventDestroy: env.kafka.preventDestroy,
      // Kafka clients only: labelled pods of this namespace (the gateway) and pods of labelled namespaces (consumers).
      listenerPeers: [
        { podSelector: { matchLabels: { [KAFKA_CLIENT_LABEL]: "true" } } },
        { namespaceSelector: { matchLabels: { [KAFKA_CLIENT_LABEL]: "true" } } },
      ],
    });

    const partitions = new Map(this.plan.topics.map((t) => [t.name, t.partitions]));
    this.topics = new KafkaTopics(this, "topics", {
      cluster: this.kafka,
      defaultRetentionHours: env.load.retentionDays * 24,
      preventDestroy: env.kafka.preventDestroy,
      topics: catalog.map((definition) => ({ definition, partitions: partitions.get(definition.name)! })),
    });

    const eventTopics = catalog.filter((t) => t.category !== undefined).map((t) => this.topics.topic(t.name));
    this.ingestUser = new KafkaUser(this, "ingest-gateway-user", {
      cluster: this.kafka,
      userName: INGEST_GATEWAY_USER,
      produceTo: eventTopics,
    });
    this.consumerUser = new KafkaUser(this, "consumers-user", {
      cluster: this.kafka,
      userName: PLATFORM_CONSUMERS_USER,
      consumeFrom: eventTopics,
      produceTo: [this.topics.topic(DEAD_LETTER_TOPIC)],
      consumerGroupPrefix: CONSUMER_GROUP_PREFIX,
    });

    addOutput(this, "kafka_bootstrap_servers", this.kafka.bootstrapServers, "In-cluster TLS bootstrap address (SCRAM-SHA-512)");
    addOutput(this, "kafka_cluster_name", this.kafka.clusterName, "Name of the Strimzi Kafka resource");
    addOutput(
      this,
      "kafka_cluster_ca_cert_secret",
      this.kafka.clusterCaCertSecret,
      "Secret (in the Kafka namespace) holding the cluster CA clients must trust",
    );
    addOutput(
      this,
      "kafka_topics",
      this.topics.all.map((t) => t.topicName),
      "Kafka topics the kit manages",
    );
    addOutput(this, "kafka_broker_disk_gib", this.plan.brokerDiskGiB, "Disk per broker from the capacity planner, GiB");
  }
}
