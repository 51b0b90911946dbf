import { CHARTS } from "../domain/charts";
import { TOPIC_CATALOG, TopicDefinition } from "../domain/event-catalog";
import { topologyProblems } from "../domain/kafka-topology";
import { planForEnvironment } from "./capacity";
import { MAX_VOLUME_GIB } from "../domain/capacity-planner";
import { EnvironmentConfig } from "./types";
import { ProblemCollector } from "./validation-kit";

/**
 * Kafka versions the pinned Strimzi operator runs: the ones its
 * kafka-versions.yaml marks `supported: true`, recorded on the chart's
 * registry entry (domain/charts.ts) so a chart bump brings its own list.
 */
export const SUPPORTED_KAFKA_VERSIONS: readonly string[] = CHARTS.strimzi.supportedKafkaVersions;

/** Kafka rules, including the capacity planner's verdict on the declared load. */
export function checkKafka(p: ProblemCollector, cfg: EnvironmentConfig, catalog: readonly TopicDefinition[] = TOPIC_CATALOG): void {
  const k = cfg.kafka;
  const zones = cfg.availabilityZones.length;
  p.expect(
    SUPPORTED_KAFKA_VERSIONS.includes(k.version),
    "kafka.version",
    k.version,
    `expected one of ${SUPPORTED_KAFKA_VERSIONS.map((v) => JSON.stringify(v)).join(", ")} (supported by ${CHARTS.strimzi.chart} ${CHARTS.strimzi.version})`,
  );
  const topology = topologyProblems(k);
  for (const t of topology) p.add(`kafka.${t.field}`, t.message);

  if (cfg.production) {
    p.expect(
      k.replicationFactor >= 3,
      "kafka.replicationFactor",
      k.replicationFactor,
      "production needs at least 3 (survive one broker loss while keeping min ISR)",
    );
    p.expect(
      k.minInsyncReplicas >= 2,
      "kafka.minInsyncReplicas",
      k.minInsyncReplicas,
      "production needs at least 2, or an acked event can live on one disk only",
    );
    p.expect(k.controllers >= 3, "kafka.controllers", k.controllers, "production needs at least 3 KRaft controllers");
  }
  // Rack awareness spreads replicas over zones; uneven broker counts leave one zone heavier.
  for (const key of ["min", "initial", "max"] as const) {
    const n = k.brokers[key];
    if (Number.isInteger(n) && n % zones !== 0) {
      const msg = `got ${n}, expected a multiple of the ${zones} availability zones so brokers (and replicas) spread evenly`;
      if (cfg.production) p.add(`kafka.brokers.${key}`, msg);
      else p.warn(`kafka.brokers.${key}`, msg);
    }
  }
  const r = k.brokerResources;
  p.number("kafka.brokerResources.cpu", r.cpu, 0.5, 64);
  p.integer("kafka.brokerResources.memoryMiB", r.memoryMiB, 2_048, 524_288);
  p.expect(
    Number.isInteger(r.heapMiB) && r.heapMiB > 0 && r.heapMiB <= r.memoryMiB / 2,
    "kafka.brokerResources.heapMiB",
    r.heapMiB,
    `expected a whole number of MiB, more than 0 and at most half of memoryMiB (${r.memoryMiB / 2}): Kafka serves reads from the page cache, not the heap`,
  );

  p.integer("kafka.autoscaling.targetCpuUtilization", k.autoscaling.targetCpuUtilization, 10, 95);
  p.integer("kafka.autoscaling.scaleDownStabilizationSeconds", k.autoscaling.scaleDownStabilizationSeconds, 0, 3600);
  if (k.preventDestroy !== undefined)
    p.expect(typeof k.preventDestroy === "boolean", "kafka.preventDestroy", k.preventDestroy, "expected true or false");
  if (cfg.production && k.preventDestroy === false) {
    p.add("kafka.preventDestroy", "got false, production keeps its Kafka cluster and topics protected from destroy and replace");
  }
  p.integer("kafka.maxConsumerParallelism", k.maxConsumerParallelism, 1, 10_000);
  if (k.brokerDiskGiB !== undefined) p.integer("kafka.brokerDiskGiB", k.brokerDiskGiB, 10, MAX_VOLUME_GIB);

  // Whether the kafka pool holds kafka.brokers.max brokers is the scheduling check's (validate-scheduling.ts).

  for (const t of catalog.filter((t) => t.share > 0)) {
    if (t.partitions !== undefined && t.partitions < k.maxConsumerParallelism) {
      p.add(
        `topics.${t.name}.partitions`,
        `got ${t.partitions}, below kafka.maxConsumerParallelism (${k.maxConsumerParallelism}): consumers beyond the partition count sit idle`,
      );
    }
    if (t.retentionHours !== undefined && t.retentionHours > cfg.load.retentionDays * 24) {
      p.add(
        `topics.${t.name}.retentionHours`,
        `got ${t.retentionHours}, but broker disks are sized for load.retentionDays (${cfg.load.retentionDays} days = ${cfg.load.retentionDays * 24} h)`,
      );
    }
  }

  // The planner needs sane inputs; skip it when the basics are already wrong.
  if (topology.length > 0 || p.problems.some((x) => x.path.includes(".load.") || x.path.includes("kafka.brokerDiskGiB"))) return;
  const plan = planForEnvironment(cfg, catalog);
  // Requirements round up; quantities that are reported, not required, round to nearest.
  const fmt = (n: number) => Math.ceil(n).toLocaleString("en-US");
  const about = (n: number) => Math.round(n).toLocaleString("en-US");
  if (plan.brokers.required > k.brokers.min) {
    p.add(
      "kafka.brokers.min",
      `got ${k.brokers.min}, the declared load needs ${plan.brokers.required} brokers ` +
        `(bound by ${plan.brokers.bindingConstraint}; by RF ${plan.brokers.byReplication}, storage ${plan.brokers.byStorage}, ` +
        `throughput ${plan.brokers.byThroughput}, partitions ${plan.brokers.byPartitions}; ${fmt(plan.requiredDiskGiB)} GiB of disk needed, ` +
        `${fmt(plan.brokerDiskGiB)} GiB per broker)`,
    );
  }
  if (k.brokerDiskGiB !== undefined && k.brokerDiskGiB < plan.diskPerBrokerAtMinGiB) {
    p.add(
      "kafka.brokerDiskGiB",
      `got ${k.brokerDiskGiB}, the declared load needs ${fmt(plan.diskPerBrokerAtMinGiB)} GiB per broker at ${k.brokers.min} brokers ` +
        `(${about(plan.retainedGiB)} GiB retained over ${cfg.load.retentionDays} days at RF ${k.replicationFactor}, ${plan.assumptions.headroom * 100}% headroom)`,
    );
  }
  if (k.brokerDiskGiB === undefined && plan.diskPerBrokerAtMinGiB > MAX_VOLUME_GIB) {
    p.add(
      "kafka.brokers.min",
      `got ${k.brokers.min}, each broker would need ${fmt(plan.diskPerBrokerAtMinGiB)} GiB, more than a gp3 volume's ${MAX_VOLUME_GIB} GiB; add brokers`,
    );
  }
}
