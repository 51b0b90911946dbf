import { CapacityInputs, formatPlan, planCapacity } from "../domain/capacity-planner";

const GIB = 2 ** 30;
const topics = [
  { name: "user-actions", share: 0.6 },
  { name: "transactions", share: 0.15 },
  { name: "inventory", share: 0.1 },
  { name: "system", share: 0.15 },
  { name: "dead-letter", share: 0, partitions: 3 },
];
const base: CapacityInputs = {
  eventsPerDay: 300_000_000,
  bytesPerEvent: 1000,
  peakFactor: 3,
  compressionRatio: 1,
  replicationFactor: 3,
  retentionDays: 7,
  availabilityZones: 3,
  maxConsumerParallelism: 24,
  minBrokers: 6,
  maxBrokers: 12,
  topics,
};

describe("300M events/day at 1 KB, 7 days, RF 3, uncompressed (DESIGN.md's numbers, by hand)", () => {
  const p = planCapacity(base);

  test("rates: 3,472 events/s average, 10,417 at a 3x peak; 3.47 / 10.42 MB/s in", () => {
    expect(p.eventsPerSec.average).toBeCloseTo(300e6 / 86400, 6); // 3472.22
    expect(p.eventsPerSec.peak).toBeCloseTo(10416.67, 2);
    expect(p.ingressMBps.average).toBeCloseTo(3.4722, 4);
    expect(p.ingressMBps.peak).toBeCloseTo(10.4167, 4);
    expect(p.replicationMBps.peak).toBeCloseTo(20.8333, 4); // two follower copies
  });

  test("storage: 300 GB/day raw x RF 3 x 7 days = 6.3 TB retained", () => {
    expect(p.retainedGiB * GIB).toBeCloseTo(6.3e12, -3);
    expect(p.storedGiBPerDay).toBeCloseTo(838.19, 2); // 900 GB/day in GiB
    expect(p.requiredDiskGiB).toBeCloseTo(5867.36 / 0.7, 1); // 30% headroom
    expect(p.diskPerBrokerAtMinGiB).toBeCloseTo(1396.99, 1);
    expect(p.brokerDiskGiB).toBe(1400);
  });

  test("brokers: RF needs 3, nothing else binds at this load; partitions 24 (the seed's count) for 24 consumers", () => {
    expect(p.brokers).toEqual({
      byReplication: 3,
      byStorage: 1,
      byThroughput: 1,
      byPartitions: 1,
      required: 3,
      bindingConstraint: "replication factor",
    });
    const ua = p.topics.find((t) => t.name === "user-actions")!;
    expect(ua.peakEventsPerSec).toBeCloseTo(6250, 6);
    expect(ua.partitions).toBe(24);
    expect(ua.consumerReplicas).toBe(4); // 6,250 / 2,000 per replica
    expect(p.topics.find((t) => t.name === "dead-letter")!.partitions).toBe(3);
    expect(p.totalPartitionReplicas).toBe((24 * 4 + 3) * 3 + 100 * 3);
  });

  test("compression 2.5 cuts stored bytes by 2.5x", () => {
    const c = planCapacity({ ...base, compressionRatio: 2.5 });
    expect(c.retainedGiB).toBeCloseTo(p.retainedGiB / 2.5, 6);
    expect(c.ingressCompressedMBps.peak).toBeCloseTo(10.4167 / 2.5, 4);
  });
});

describe("10M events/day", () => {
  test("116 events/s, 28 GiB/day stored, 3 brokers of 100 GiB", () => {
    const p = planCapacity({ ...base, eventsPerDay: 10_000_000, minBrokers: 3, maxBrokers: 3, maxConsumerParallelism: 6 });
    expect(p.eventsPerSec.average).toBeCloseTo(115.74, 2);
    expect(p.storedGiBPerDay).toBeCloseTo(27.94, 2);
    expect(p.retainedGiB).toBeCloseTo(195.58, 2);
    expect(p.diskPerBrokerAtMinGiB).toBeCloseTo(93.13, 2);
    expect(p.brokerDiskGiB).toBe(100);
    expect(p.brokers.required).toBe(3);
    expect(p.topics[0].partitions).toBe(6);
  });
});

describe("loads the cluster cannot carry", () => {
  test("fixed 500 GiB disks: storage needs 17 brokers, rounded to 18 for 3 zones", () => {
    const p = planCapacity({ ...base, brokerDiskGiB: 500 });
    expect(p.brokers.byStorage).toBe(Math.ceil(8381.94 / 500)); // 17
    expect(p.brokers.required).toBe(18);
    expect(p.brokers.bindingConstraint).toBe("storage");
  });

  test("30B events/day is bound by broker throughput", () => {
    const p = planCapacity({ ...base, eventsPerDay: 30_000_000_000, brokerDiskGiB: 16384 });
    // peak 1,041.7 MB/s x RF 3 / (60 MB/s x 0.7) = 74.4 -> 75
    expect(p.brokers.byThroughput).toBe(75);
    expect(p.brokers.bindingConstraint).toBe("throughput");
    expect(p.brokers.required).toBe(75);
  });

  test("nonsense inputs are refused with the field named", () => {
    expect(() => planCapacity({ ...base, compressionRatio: 0.5 })).toThrow("compressionRatio must be >= 1, got 0.5");
    expect(() => planCapacity({ ...base, assumptions: { headroom: 1 } })).toThrow("headroom must be in [0, 1), got 1");
  });
});

test("the printed plan carries the key figures", () => {
  const text = formatPlan("plan", planCapacity(base));
  expect(text).toContain("events/s (average / peak)");
  expect(text).toMatch(/3,472 \/ 10,417/);
  expect(text).toMatch(/user-actions\s+60%\s+6,250/);
});
