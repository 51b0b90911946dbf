import { Construct } from "constructs";
import { KubeManifest } from "../k8s/manifest";
import { IKafkaCluster, STRIMZI_API } from "./kafka-cluster";
import { TopicDefinition } from "../../domain/event-catalog";

export interface PlannedTopic {
  readonly definition: TopicDefinition;
  /** Partitions from the capacity planner (or the definition's fixed count). */
  readonly partitions: number;
}

export interface KafkaTopicsProps {
  readonly cluster: IKafkaCluster;
  readonly topics: readonly PlannedTopic[];
  /** Retention for topics without their own. */
  readonly defaultRetentionHours: number;
}

const HOUR_MS = 3_600_000;

/** Kubernetes name for a topic: dots and underscores are fine in Kafka, not everywhere in Kubernetes. */
export function topicResourceName(topic: string): string {
  return topic.toLowerCase().replace(/[^a-z0-9-]/g, "-");
}

/**
 * The topic catalog as KafkaTopic resources, managed by Strimzi's topic
 * operator: partitions, replicas and min ISR from the cluster, retention,
 * compression and cleanup policy from the catalog.
 */
export class KafkaTopics extends Construct {
  readonly topicNames: readonly string[];
  readonly resources: readonly KubeManifest[];

  constructor(scope: Construct, id: string, props: KafkaTopicsProps) {
    super(scope, id);
    const seen = new Set<string>();
    this.resources = props.topics.map(({ definition: t, partitions }) => {
      const resourceName = topicResourceName(t.name);
      if (!/^[a-zA-Z0-9._-]{1,249}$/.test(t.name))
        throw new Error(`KafkaTopics ${id}: topic name ${JSON.stringify(t.name)} is not a legal Kafka topic name`);
      if (seen.has(resourceName)) throw new Error(`KafkaTopics ${id}: two topics map to the resource name ${resourceName}`);
      seen.add(resourceName);
      if (!(Number.isInteger(partitions) && partitions >= 1))
        throw new Error(`KafkaTopics ${id}: ${t.name} partitions must be a whole number >= 1, got ${partitions}`);
      return new KubeManifest(this, resourceName, {
        object: {
          apiVersion: STRIMZI_API,
          kind: "KafkaTopic",
          metadata: { name: resourceName, namespace: props.cluster.namespace, labels: { "strimzi.io/cluster": props.cluster.clusterName } },
          spec: {
            topicName: t.name,
            partitions,
            replicas: props.cluster.replicationFactor,
            config: {
              "min.insync.replicas": props.cluster.minInsyncReplicas,
              "retention.ms": (t.retentionHours ?? props.defaultRetentionHours) * HOUR_MS,
              "compression.type": t.compression,
              "cleanup.policy": t.cleanupPolicy,
            },
          },
        },
      });
    });
    this.topicNames = props.topics.map((t) => t.definition.name);
  }
}
