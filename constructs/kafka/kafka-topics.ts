import { Construct } from "constructs";
import { TopicDefinition } from "../../domain/event-catalog";
import { kafkaTopicConfig } from "../../domain/kafka-broker-config";
import { CustomResource, KubeManifest } from "../k8s/manifest";
import { afterCluster, IKafkaCluster, STRIMZI_API, strimziReady } from "./kafka-cluster";

/** A topic that exists in a Kafka cluster: what users, ACLs and clients reference, instead of a string. */
export interface IKafkaTopic {
  /** Kafka topic name, e.g. `events.user-actions`. */
  readonly topicName: string;
  /** Name of the KafkaTopic resource (a Kubernetes name: dots become dashes). */
  readonly resourceName: string;
  /** The cluster that holds it. */
  readonly cluster: IKafkaCluster;
}

export interface PlannedTopic {
  /** The topic as the catalog declares it. */
  readonly definition: TopicDefinition;
  /** Partitions from the capacity planner (or the definition's fixed count). */
  readonly partitions: number;
}

export interface KafkaTopicsProps {
  /** The cluster the topics live in. */
  readonly cluster: IKafkaCluster;
  /** The topics with their planned partition counts. */
  readonly topics: readonly PlannedTopic[];
  /** Retention for topics without their own. */
  readonly defaultRetentionHours: number;
  /**
   * Refuse plans that destroy or replace a topic: the topic operator then
   * deletes the Kafka topic and its data. Off only for throwaway environments.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Minutes apply waits for the topic operator to report each topic Ready (created in Kafka).
   * @default 10
   */
  readonly readyTimeoutMinutes?: number;
}

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
  /** Every topic, in catalog order. */
  readonly all: readonly IKafkaTopic[];
  readonly resources: readonly KubeManifest<CustomResource>[];
  private readonly byName: ReadonlyMap<string, IKafkaTopic>;

  constructor(scope: Construct, id: string, props: KafkaTopicsProps) {
    super(scope, id);
    const readyMinutes = props.readyTimeoutMinutes ?? 10;
    if (!(Number.isInteger(readyMinutes) && readyMinutes >= 5))
      throw new Error(`${this.node.path}: readyTimeoutMinutes: got ${readyMinutes}, expected whole minutes, at least 5`);
    const seen = new Set<string>();
    const all: IKafkaTopic[] = [];
    this.resources = props.topics.map(({ definition: t, partitions }) => {
      const resourceName = topicResourceName(t.name);
      if (!/^[a-zA-Z0-9._-]{1,249}$/.test(t.name))
        throw new Error(`${this.node.path}: topic name ${JSON.stringify(t.name)} is not a legal Kafka topic name`);
      if (seen.has(resourceName)) throw new Error(`${this.node.path}: two topics map to the resource name ${resourceName}`);
      seen.add(resourceName);
      if (!(Number.isInteger(partitions) && partitions >= 1)) {
        throw new Error(`${this.node.path}: ${t.name} partitions must be a whole number >= 1, got ${partitions}`);
      }
      all.push({ topicName: t.name, resourceName, cluster: props.cluster });
      return new KubeManifest<CustomResource>(this, resourceName, {
        preventDestroy: props.preventDestroy ?? true,
        object: {
          apiVersion: STRIMZI_API,
          kind: "KafkaTopic",
          metadata: { name: resourceName, namespace: props.cluster.namespace, labels: { "strimzi.io/cluster": props.cluster.clusterName } },
          spec: {
            topicName: t.name,
            partitions,
            replicas: props.cluster.replicationFactor,
            config: kafkaTopicConfig(t, {
              minInsyncReplicas: props.cluster.minInsyncReplicas,
              defaultRetentionHours: props.defaultRetentionHours,
            }),
          },
        },
        // Producers (the gateway) get UNKNOWN_TOPIC_OR_PARTITION until the topic operator has created the topic.
        waitFor: strimziReady(readyMinutes),
        dependsOn: afterCluster(this, props.cluster),
      });
    });
    this.all = all;
    this.byName = new Map(all.map((t) => [t.topicName, t]));
  }

  /** The topic named `topicName`; throws at synth, naming the known topics, when there is none. */
  topic(topicName: string): IKafkaTopic {
    const found = this.byName.get(topicName);
    if (!found) throw new Error(`${this.node.path}: no topic ${JSON.stringify(topicName)}; known: ${[...this.byName.keys()].join(", ")}`);
    return found;
  }
}
