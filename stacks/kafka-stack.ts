import { Construct } from "constructs";
import { ClusterAccess } from "../constructs/eks/cluster-access";
import { IEksCluster } from "../constructs/eks/eks-cluster";
import { schedulingFor } from "../domain/node-pools";
import { KafkaCluster } from "../constructs/kafka/kafka-cluster";
import { KafkaTopics } from "../constructs/kafka/kafka-topics";
import { KafkaUser } from "../constructs/kafka/kafka-user";
import { DEAD_LETTER_TOPIC, TOPIC_CATALOG, TopicDefinition } from "../domain/event-catalog";
import { planForEnvironment } from "../config/capacity";
import { CapacityPlan } from "../domain/capacity-planner";
import { KitStack } from "./kit-stack";
import { LayerStackProps } from "./network-stack";

export interface KafkaStackProps extends LayerStackProps {
  readonly cluster: IEksCluster;
  /** Namespace the Strimzi operator watches. */
  readonly namespace: string;
  readonly storageClassName: string;
  /** @default TOPIC_CATALOG */
  readonly catalog?: readonly TopicDefinition[];
}

/** Consumer groups of platform consumers must start with this prefix (their ACL is a prefix ACL). */
export const CONSUMER_GROUP_PREFIX = "consumers.";

/**
 * `<env>-kafka`: the Kafka cluster, its topics and its users, sized by the
 * capacity planner from the environment's declared load.
 */
export class KafkaStack extends KitStack {
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
    new ClusterAccess(this, "access", props.cluster);

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
    });

    const partitions = new Map(this.plan.topics.map((t) => [t.name, t.partitions]));
    this.topics = new KafkaTopics(this, "topics", {
      cluster: this.kafka,
      defaultRetentionHours: env.load.retentionDays * 24,
      topics: catalog.map((definition) => ({ definition, partitions: partitions.get(definition.name)! })),
    });

    const eventTopics = catalog.filter((t) => t.category !== undefined).map((t) => t.name);
    this.ingestUser = new KafkaUser(this, "ingest-gateway-user", {
      cluster: this.kafka,
      userName: "ingest-gateway",
      produceTo: eventTopics,
    });
    this.consumerUser = new KafkaUser(this, "consumers-user", {
      cluster: this.kafka,
      userName: "platform-consumers",
      consumeFrom: eventTopics,
      produceTo: [DEAD_LETTER_TOPIC],
      consumerGroupPrefix: CONSUMER_GROUP_PREFIX,
    });
  }
}
