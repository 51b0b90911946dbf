/**
 * The Kafka settings the kit runs with, in one place: the Strimzi `Kafka`
 * resource renders them into `spec.kafka.config` and each `KafkaTopic`'s
 * `spec.config`, and the local platform (local/) writes the same values into
 * its brokers' server.properties and its topics, so a local run and a deployed
 * cluster cannot drift apart.
 */
import { TopicDefinition } from "./event-catalog";

export type KafkaConfigValue = string | number | boolean;

export interface BrokerPolicy {
  /** default.replication.factor and the internal topics' replication factor. */
  readonly replicationFactor: number;
  /** min.insync.replicas for acks=all producers. */
  readonly minInsyncReplicas: number;
  /** Default topic retention, hours. */
  readonly retentionHours: number;
}

/** Cluster-wide broker settings (Strimzi `spec.kafka.config`; local server.properties). */
export function kafkaBrokerConfig(p: BrokerPolicy): Record<string, KafkaConfigValue> {
  return {
    "default.replication.factor": p.replicationFactor,
    "min.insync.replicas": p.minInsyncReplicas,
    "offsets.topic.replication.factor": p.replicationFactor,
    "transaction.state.log.replication.factor": p.replicationFactor,
    "transaction.state.log.min.isr": p.minInsyncReplicas,
    "unclean.leader.election.enable": false,
    "auto.create.topics.enable": false,
    "log.retention.hours": p.retentionHours,
    // Consumers read from a replica in their own zone: no cross-AZ transfer for reads.
    "replica.selector.class": "org.apache.kafka.common.replica.RackAwareReplicaSelector",
    // Keep the producer's compression (zstd/lz4 per topic) instead of recompressing.
    "compression.type": "producer",
  };
}

const HOUR_MS = 3_600_000;

/** One topic's settings (Strimzi `KafkaTopic` `spec.config`; the local platform's CreateTopics configs). */
export function kafkaTopicConfig(
  t: TopicDefinition,
  p: { readonly minInsyncReplicas: number; readonly defaultRetentionHours: number },
): Record<string, KafkaConfigValue> {
  return {
    "min.insync.replicas": p.minInsyncReplicas,
    "retention.ms": (t.retentionHours ?? p.defaultRetentionHours) * HOUR_MS,
    "compression.type": t.compression,
    "cleanup.policy": t.cleanupPolicy,
  };
}
