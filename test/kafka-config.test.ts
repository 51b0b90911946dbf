import { findConfigProblems } from "../config";
import { dev } from "../config/dev";
import { prod } from "../config/prod";
import { checkKafka } from "../config/validate-kafka";
import { ProblemCollector } from "../config/validation-kit";
import { TOPIC_CATALOG } from "../domain/event-catalog";
import { prodBeforeKarpenter } from "./fixtures/prod-before-karpenter";
import { withOverrides } from "./helpers";

const messages = (cfg: Parameters<typeof findConfigProblems>[0]) => findConfigProblems(cfg).problems.map((p) => `${p.path}: ${p.message}`);

describe("Kafka config rules", () => {
  test.each<[string, ReturnType<typeof withOverrides>, string]>([
    [
      "initial brokers above max",
      withOverrides(prod, { kafka: { brokers: { min: 6, initial: 15, max: 12 } } }),
      "prod.kafka.brokers: got min 6, initial 15, max 12; need min <= initial <= max",
    ],
    [
      "min ISR not below RF",
      withOverrides(prod, { kafka: { minInsyncReplicas: 3 } }),
      "prod.kafka.minInsyncReplicas: got 3, must be below replicationFactor (3)",
    ],
    [
      "RF above the broker count",
      withOverrides(dev, { kafka: { brokers: { min: 2, initial: 2, max: 3 } } }),
      "dev.kafka.replicationFactor: got 3, cannot exceed brokers.min (2)",
    ],
    [
      "prod brokers not a multiple of the zones",
      withOverrides(prod, { kafka: { brokers: { min: 6, initial: 6, max: 11 } } }),
      "prod.kafka.brokers.max: got 11, expected a multiple of the 3 availability zones",
    ],
    [
      "disk too small for the declared load",
      withOverrides(prod, { kafka: { brokerDiskGiB: 200 } }),
      "prod.kafka.brokerDiskGiB: got 200, the declared load needs 573 GiB per broker at 6 brokers (2,403 GiB retained over 7 days at RF 3, 30% headroom)",
    ],
    [
      "load the brokers cannot hold",
      withOverrides(prod, { load: { eventsPerDay: 3_000_000_000 }, kafka: { brokerDiskGiB: 2048 } }),
      "prod.kafka.brokers.min: got 6, the declared load needs 18 brokers (bound by storage",
    ],
    [
      "unsupported Kafka version",
      withOverrides(prod, { kafka: { version: "3.9.0" } }),
      'prod.kafka.version: got "3.9.0", expected one of "4.2.0"',
    ],
    [
      "production with min ISR 1",
      withOverrides(prod, { kafka: { minInsyncReplicas: 1 } }),
      "prod.kafka.minInsyncReplicas: got 1, production needs at least 2",
    ],
    [
      "even controller count",
      withOverrides(prod, { kafka: { controllers: 4 } }),
      "prod.kafka.controllers: got 4, expected an odd number from 1 to 9",
    ],
    [
      "heap larger than half the memory",
      withOverrides(prod, { kafka: { brokerResources: { cpu: 6, memoryMiB: 16_384, heapMiB: 12_288 } } }),
      "prod.kafka.brokerResources.heapMiB: got 12288, expected a whole number of MiB, more than 0 and at most half of memoryMiB (8192): Kafka serves reads from the page cache, not the heap",
    ],
    [
      "kafka node groups too small for max brokers (nothing scales them past desiredSize)",
      prodBeforeKarpenter,
      "prod.nodePools.kafka.desiredSize: got 3 per zone: nothing resizes a node group",
    ],
    [
      "Karpenter kafka pool limits too small for max brokers",
      withOverrides(prod, { nodePools: { kafka: { karpenter: { limits: { cpu: 64, memoryGiB: 512 } } } } }),
      "prod.nodePools.kafka.karpenter.limits: got 64 vCPU / 512 GiB, at their autoscaler maximums the pool's pods need 12 Karpenter nodes = 96 vCPU / 768 GiB",
    ],
  ])("%s", (_label, cfg, expected) => {
    expect(messages(cfg).join("\n")).toContain(expected);
  });

  test("outside production, brokers not a multiple of the zones is a warning, not an error", () => {
    const cfg = withOverrides(dev, {
      kafka: { brokers: { min: 3, initial: 4, max: 4 } },
      nodePools: { kafka: { karpenter: { limits: { cpu: 24, memoryGiB: 96 } } } },
    });
    const check = findConfigProblems(cfg);
    expect(check.problems).toEqual([]);
    expect(check.warnings.map((w) => w.path).filter((p) => p.startsWith("dev.kafka."))).toEqual([
      "dev.kafka.brokers.initial",
      "dev.kafka.brokers.max",
    ]);
  });

  test("a topic with fewer partitions than consumer parallelism is refused", () => {
    const p = new ProblemCollector("prod");
    const catalog = TOPIC_CATALOG.map((t) => (t.name === "events.inventory" ? { ...t, partitions: 12 } : t));
    checkKafka(p, prod, catalog);
    expect(p.problems.map((x) => `${x.path}: ${x.message}`)).toContain(
      "prod.topics.events.inventory.partitions: got 12, below kafka.maxConsumerParallelism (24): consumers beyond the partition count sit idle",
    );
  });

  test("a topic retained longer than the disks were sized for is refused", () => {
    const p = new ProblemCollector("prod");
    const catalog = TOPIC_CATALOG.map((t) => (t.name === "events.transactions" ? { ...t, retentionHours: 30 * 24 } : t));
    checkKafka(p, prod, catalog);
    expect(p.problems[0].message).toBe("got 720, but broker disks are sized for load.retentionDays (7 days = 168 h)");
  });
});
