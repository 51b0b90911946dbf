/**
 * Kafka capacity planner: turns a declared load into brokers, disk per broker,
 * partitions per topic and consumer replicas. Pure arithmetic, no I/O, so the
 * same numbers drive synth-time validation, the CLI and the docs.
 *
 * Units: MB = 10^6 bytes (throughput), GiB = 2^30 bytes (disk, as volumes are sized).
 */

export const SECONDS_PER_DAY = 86_400;
const MB = 1e6;
const GIB = 2 ** 30;
/** gp3's largest volume. */
export const MAX_VOLUME_GIB = 16_384;

/** Engineering assumptions; each default says why. Override per environment in config. */
export interface PlanningAssumptions {
  /**
   * Fraction of disk and broker throughput kept free. 0.3 keeps disks under
   * 70% at full retention, below the 80% disk alert, with room for a surge.
   */
  readonly headroom: number;
  /**
   * Sustained write rate one broker takes (leader + follower bytes, compressed).
   * 60 MB/s is about half of gp3's 125 MB/s baseline: the rest is for
   * catch-up reads that miss the page cache and for partition reassignment.
   */
  readonly brokerWriteMBps: number;
  /** Produce rate one partition sustains with acks=all (compressed). Conservative: 5 MB/s. */
  readonly partitionMBps: number;
  /** Partition replicas one broker hosts comfortably (KRaft handles more; recovery time grows with count). */
  readonly maxPartitionReplicasPerBroker: number;
  /** Events per second one consumer replica processes; set from your consumers' own benchmark. */
  readonly consumerEventsPerSecPerReplica: number;
  /** Partition replicas of Kafka's internal topics (__consumer_offsets 50, transaction state 50, times RF). */
  readonly internalPartitions: number;
}

export const DEFAULT_ASSUMPTIONS: PlanningAssumptions = {
  headroom: 0.3,
  brokerWriteMBps: 60,
  partitionMBps: 5,
  maxPartitionReplicasPerBroker: 2000,
  consumerEventsPerSecPerReplica: 2000,
  internalPartitions: 100,
};

export interface TopicLoad {
  readonly name: string;
  /** Fraction of all events that go to this topic (shares of event topics sum to 1). */
  readonly share: number;
  /** Fixed partition count (e.g. a dead-letter topic); otherwise derived. */
  readonly partitions?: number;
}

export interface CapacityInputs {
  readonly eventsPerDay: number;
  readonly bytesPerEvent: number;
  readonly peakFactor: number;
  /** Uncompressed over compressed bytes. */
  readonly compressionRatio: number;
  readonly replicationFactor: number;
  readonly retentionDays: number;
  readonly availabilityZones: number;
  /** Consumers in the largest consumer group: every topic gets at least this many partitions. */
  readonly maxConsumerParallelism: number;
  /** Broker counts the cluster may run at. */
  readonly minBrokers: number;
  readonly maxBrokers: number;
  /** Disk per broker if fixed in config; otherwise the plan derives it. */
  readonly brokerDiskGiB?: number;
  readonly topics: readonly TopicLoad[];
  readonly assumptions?: Partial<PlanningAssumptions>;
}

export interface Rate {
  readonly average: number;
  readonly peak: number;
}

export interface TopicPlan {
  readonly name: string;
  readonly share: number;
  readonly peakEventsPerSec: number;
  /** Compressed produce rate at peak. */
  readonly peakMBps: number;
  readonly partitions: number;
  readonly consumerReplicas: number;
}

export interface BrokerPlan {
  readonly byReplication: number;
  readonly byStorage: number;
  readonly byThroughput: number;
  readonly byPartitions: number;
  /** The largest of the above, rounded up to a multiple of the AZ count. */
  readonly required: number;
  /** Which constraint set `required`. */
  readonly bindingConstraint: "replication factor" | "storage" | "throughput" | "partitions";
}

export interface CapacityPlan {
  readonly inputs: CapacityInputs;
  readonly assumptions: PlanningAssumptions;
  readonly eventsPerSec: Rate;
  /** Producer payload before compression. */
  readonly ingressMBps: Rate;
  /** On the wire and on disk after producer compression. */
  readonly ingressCompressedMBps: Rate;
  /** Follower fetch traffic between brokers: compressed ingress x (RF - 1). */
  readonly replicationMBps: Rate;
  /** Bytes written to broker disks per day: compressed x RF. */
  readonly storedGiBPerDay: number;
  /** Everything retained across the cluster at full retention. */
  readonly retainedGiB: number;
  /** Retained over (1 - headroom). */
  readonly requiredDiskGiB: number;
  /** Disk each broker needs when the cluster runs at its minimum size. */
  readonly diskPerBrokerAtMinGiB: number;
  /** The disk per broker to provision: config's figure or the derived one rounded up to 100 GiB. */
  readonly brokerDiskGiB: number;
  readonly brokers: BrokerPlan;
  readonly topics: readonly TopicPlan[];
  readonly totalPartitionReplicas: number;
  readonly consumerReplicas: number;
}

const roundUpTo = (value: number, step: number) => Math.ceil(value / step) * step;

export function planCapacity(inputs: CapacityInputs): CapacityPlan {
  const a: PlanningAssumptions = { ...DEFAULT_ASSUMPTIONS, ...(inputs.assumptions ?? {}) };
  checkInputs(inputs, a);
  const rf = inputs.replicationFactor;
  const avgEps = inputs.eventsPerDay / SECONDS_PER_DAY;
  const eventsPerSec = { average: avgEps, peak: avgEps * inputs.peakFactor };
  const rate = (f: (eps: number) => number): Rate => ({ average: f(eventsPerSec.average), peak: f(eventsPerSec.peak) });
  const ingressMBps = rate((eps) => (eps * inputs.bytesPerEvent) / MB);
  const ingressCompressedMBps = rate((eps) => (eps * inputs.bytesPerEvent) / inputs.compressionRatio / MB);
  const replicationMBps = rate((eps) => ((eps * inputs.bytesPerEvent) / inputs.compressionRatio / MB) * (rf - 1));

  const storedGiBPerDay = (inputs.eventsPerDay * inputs.bytesPerEvent * rf) / inputs.compressionRatio / GIB;
  const retainedGiB = storedGiBPerDay * inputs.retentionDays;
  const requiredDiskGiB = retainedGiB / (1 - a.headroom);
  const diskPerBrokerAtMinGiB = requiredDiskGiB / inputs.minBrokers;
  const brokerDiskGiB = inputs.brokerDiskGiB ?? Math.min(MAX_VOLUME_GIB, Math.max(100, roundUpTo(diskPerBrokerAtMinGiB, 100)));

  // Partitions: enough for the largest consumer group, for the topic's peak
  // rate, and for its consumers; rounded to a multiple of the maximum broker
  // count so leaders spread evenly at any size between min and max.
  const topics: TopicPlan[] = inputs.topics.map((t) => {
    const peakEps = eventsPerSec.peak * t.share;
    const peakMBps = ingressCompressedMBps.peak * t.share;
    const consumersNeeded = Math.max(1, Math.ceil(peakEps / a.consumerEventsPerSecPerReplica));
    const partitions =
      t.partitions ??
      roundUpTo(Math.max(inputs.maxConsumerParallelism, Math.ceil(peakMBps / a.partitionMBps), consumersNeeded), inputs.maxBrokers);
    return {
      name: t.name,
      share: t.share,
      peakEventsPerSec: peakEps,
      peakMBps,
      partitions,
      consumerReplicas: Math.min(consumersNeeded, partitions),
    };
  });
  const totalPartitionReplicas = topics.reduce((n, t) => n + t.partitions * rf, 0) + a.internalPartitions * rf;

  const candidates: [BrokerPlan["bindingConstraint"], number][] = [
    ["replication factor", rf],
    // With a fixed disk size, storage needs total/disk brokers. With a derived
    // size the disk follows the broker count, so storage only forces more
    // brokers once a broker would need more than the largest gp3 volume.
    ["storage", Math.ceil(requiredDiskGiB / (inputs.brokerDiskGiB ?? MAX_VOLUME_GIB))],
    ["throughput", Math.ceil((ingressCompressedMBps.peak * rf) / (a.brokerWriteMBps * (1 - a.headroom)))],
    ["partitions", Math.ceil(totalPartitionReplicas / a.maxPartitionReplicasPerBroker)],
  ];
  const [binding, largest] = candidates.reduce((best, c) => (c[1] > best[1] ? c : best));
  const brokers: BrokerPlan = {
    byReplication: candidates[0][1],
    byStorage: candidates[1][1],
    byThroughput: candidates[2][1],
    byPartitions: candidates[3][1],
    required: roundUpTo(largest, inputs.availabilityZones),
    bindingConstraint: binding,
  };

  return {
    inputs,
    assumptions: a,
    eventsPerSec,
    ingressMBps,
    ingressCompressedMBps,
    replicationMBps,
    storedGiBPerDay,
    retainedGiB,
    requiredDiskGiB,
    diskPerBrokerAtMinGiB,
    brokerDiskGiB,
    brokers,
    topics,
    totalPartitionReplicas,
    consumerReplicas: topics.reduce((n, t) => n + t.consumerReplicas, 0),
  };
}

function checkInputs(i: CapacityInputs, a: PlanningAssumptions): void {
  const bad: string[] = [];
  const positive = {
    eventsPerDay: i.eventsPerDay,
    bytesPerEvent: i.bytesPerEvent,
    retentionDays: i.retentionDays,
    minBrokers: i.minBrokers,
    maxBrokers: i.maxBrokers,
    brokerWriteMBps: a.brokerWriteMBps,
    partitionMBps: a.partitionMBps,
    consumerEventsPerSecPerReplica: a.consumerEventsPerSecPerReplica,
  };
  for (const [k, v] of Object.entries(positive)) if (!(v > 0)) bad.push(`${k} must be > 0, got ${v}`);
  if (!(i.peakFactor >= 1)) bad.push(`peakFactor must be >= 1, got ${i.peakFactor}`);
  if (!(i.compressionRatio >= 1)) bad.push(`compressionRatio must be >= 1, got ${i.compressionRatio}`);
  if (!(a.headroom >= 0 && a.headroom < 1)) bad.push(`headroom must be in [0, 1), got ${a.headroom}`);
  if (!(Number.isInteger(i.replicationFactor) && i.replicationFactor >= 1))
    bad.push(`replicationFactor must be a whole number >= 1, got ${i.replicationFactor}`);
  if (i.brokerDiskGiB !== undefined && !(i.brokerDiskGiB > 0)) bad.push(`brokerDiskGiB must be > 0, got ${i.brokerDiskGiB}`);
  if (bad.length) throw new Error(`planCapacity: ${bad.join("; ")}`);
}

/** The plan as a fixed-width table, for the CLI and synth messages. */
export function formatPlan(title: string, p: CapacityPlan): string {
  const f = (n: number, d = 1) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
  const i = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 0 });
  const rows: [string, string][] = [
    ["events/day", i(p.inputs.eventsPerDay)],
    ["events/s (average / peak)", `${i(p.eventsPerSec.average)} / ${i(p.eventsPerSec.peak)}`],
    ["ingress MB/s uncompressed (avg / peak)", `${f(p.ingressMBps.average)} / ${f(p.ingressMBps.peak)}`],
    ["ingress MB/s compressed (avg / peak)", `${f(p.ingressCompressedMBps.average)} / ${f(p.ingressCompressedMBps.peak)}`],
    ["replication MB/s (avg / peak)", `${f(p.replicationMBps.average)} / ${f(p.replicationMBps.peak)}`],
    ["stored GiB/day (x RF)", f(p.storedGiBPerDay)],
    [`retained GiB (${p.inputs.retentionDays} days)`, f(p.retainedGiB, 0)],
    [`required disk GiB (${p.assumptions.headroom * 100}% headroom)`, f(p.requiredDiskGiB, 0)],
    [`disk per broker at ${p.inputs.minBrokers} brokers (GiB)`, f(p.diskPerBrokerAtMinGiB, 0)],
    ["provisioned disk per broker (GiB)", i(p.brokerDiskGiB)],
    [
      "brokers by RF / storage / throughput / partitions",
      `${p.brokers.byReplication} / ${p.brokers.byStorage} / ${p.brokers.byThroughput} / ${p.brokers.byPartitions}`,
    ],
    [
      "brokers required",
      `${p.brokers.required} (bound by ${p.brokers.bindingConstraint}; configured ${p.inputs.minBrokers}-${p.inputs.maxBrokers})`,
    ],
    ["partition replicas (incl. internal)", i(p.totalPartitionReplicas)],
    ["consumer replicas at peak", i(p.consumerReplicas)],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const lines = [
    title,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    "",
    `  ${"topic".padEnd(24)} ${"share".padStart(6)} ${"peak ev/s".padStart(10)} ${"peak MB/s".padStart(10)} ${"partitions".padStart(10)} ${"consumers".padStart(9)}`,
  ];
  for (const t of p.topics) {
    lines.push(
      `  ${t.name.padEnd(24)} ${f(t.share * 100, 0).padStart(5)}% ${i(t.peakEventsPerSec).padStart(10)} ${f(t.peakMBps, 2).padStart(10)} ${String(t.partitions).padStart(10)} ${String(t.consumerReplicas).padStart(9)}`,
    );
  }
  return lines.join("\n");
}
