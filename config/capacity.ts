import type { EnvironmentConfig } from "./types";
import { TOPIC_CATALOG, TopicDefinition } from "../domain/event-catalog";
import { CapacityInputs, CapacityPlan, planCapacity } from "../domain/capacity-planner";

/** The planner's inputs for one environment: its declared load and its Kafka config. */
export function capacityInputsFor(env: EnvironmentConfig, catalog: readonly TopicDefinition[] = TOPIC_CATALOG): CapacityInputs {
  return {
    eventsPerDay: env.load.eventsPerDay,
    bytesPerEvent: env.load.bytesPerEvent,
    peakFactor: env.load.peakFactor,
    compressionRatio: env.load.compressionRatio,
    retentionDays: env.load.retentionDays,
    replicationFactor: env.kafka.replicationFactor,
    availabilityZones: env.availabilityZones.length,
    maxConsumerParallelism: env.kafka.maxConsumerParallelism,
    minBrokers: env.kafka.brokers.min,
    maxBrokers: env.kafka.brokers.max,
    brokerDiskGiB: env.kafka.brokerDiskGiB,
    topics: catalog.map((t) => ({ name: t.name, share: t.share, partitions: t.partitions })),
    assumptions: env.kafka.planning,
  };
}

export function planForEnvironment(env: EnvironmentConfig, catalog: readonly TopicDefinition[] = TOPIC_CATALOG): CapacityPlan {
  return planCapacity(capacityInputsFor(env, catalog));
}
