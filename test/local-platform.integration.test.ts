import { execFileSync } from "child_process";
import * as fs from "fs";
import { Kafka, logLevel } from "kafkajs";
import * as os from "os";
import * as path from "path";
import { kitConsumerConfig } from "../domain/kafka-consumer-settings";
import { LocalPlatform } from "../local/platform";
import { registerCodecs } from "../services/ingest-gateway/src/codecs";

/**
 * The local platform with real Kafka (3 KRaft controllers, 3 brokers), its JMX
 * exporters, the lag exporter, Prometheus and Alertmanager, all on loopback:
 * every scrape target is up, the brokers and controllers expose the series the
 * kit's alerts read, and the lag exporter's consumer lag is what was produced
 * minus what the group committed.
 */
jest.setTimeout(240_000);

const TOPIC = "events.user-actions";
const GROUP = "consumers.local-monitoring-it";
const PRODUCED = 20;
const COMMITTED = 12;

/** The series of an exposition text, without comments, as name{labels} -> value. */
function series(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const names = (s: Map<string, number>) => new Set([...s.keys()].map((k) => k.replace(/\{.*$/, "")));

async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  return series(await res.text());
}

describe("local platform monitoring (real Kafka)", () => {
  let platform: LocalPlatform;
  let kafka: Kafka;
  // Node data, configs and logs (~50 MB); removed afterwards.
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "local-platform-it-"));

  beforeAll(async () => {
    // The catalog topics are zstd: consumers need the codec the gateway registers.
    registerCodecs();
    platform = await LocalPlatform.start({ workDir, log: () => undefined });
    kafka = new Kafka({ clientId: "local-monitoring-it", brokers: platform.bootstrapServers, logLevel: logLevel.NOTHING });

    // PRODUCED messages, all to partition 0, so offsets are known exactly.
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: TOPIC,
        acks: -1,
        messages: Array.from({ length: PRODUCED }, (_, i) => ({ partition: 0, key: `k${i}`, value: JSON.stringify({ i }) })),
      });
    } finally {
      await producer.disconnect();
    }

    // The group reads them and commits after the first COMMITTED.
    const consumer = kafka.consumer(kitConsumerConfig(GROUP));
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      let resolveCommitted!: () => void;
      const committed = new Promise<void>((r) => (resolveCommitted = r));
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          if (partition === 0 && Number(message.offset) === COMMITTED - 1) {
            await consumer.commitOffsets([{ topic, partition, offset: String(COMMITTED) }]);
            resolveCommitted();
          }
        },
      });
      await Promise.race([committed, new Promise((_, rej) => setTimeout(() => rej(new Error("no commit within 60 s")), 60_000))]);
    } finally {
      await consumer.disconnect();
    }
  });

  afterAll(async () => {
    await platform?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test("Prometheus reports every scrape target up", async () => {
    const monitoring = platform.monitoring!;
    const targets = await monitoring.waitForTargetsUp(60_000);
    expect(targets.length).toBe(monitoring.expectedTargets);
    expect(new Set(targets.map((t) => t.job))).toEqual(new Set(["kafka-controllers", "kafka-brokers", "kafka-exporter", "ingest-gateway"]));
    expect(
      targets
        .filter((t) => t.job.startsWith("kafka-") && t.job !== "kafka-exporter")
        .map((t) => t.labels.node_id)
        .sort(),
    ).toEqual([...platform.controllers, ...platform.brokers].map((n) => String(n.spec.nodeId)).sort());
    const up = await monitoring.query("sum(up)");
    expect(up[0].value).toBe(monitoring.expectedTargets);
  });

  test("the JMX exporters show the series the kit's alerts read", async () => {
    const broker = names(await scrape(platform.brokers[0].metricsUrl));
    for (const name of [
      "kafka_server_replicamanager_underreplicatedpartitions",
      "kafka_server_brokertopicmetrics_messagesinpersec_total",
      "kafka_network_requestmetrics_totaltimems",
    ]) {
      expect([name, broker.has(name)]).toEqual([name, true]);
    }
    // Exactly one controller is active.
    let active = 0;
    for (const c of platform.controllers) {
      const s = await scrape(c.metricsUrl);
      expect(names(s).has("kafka_controller_kafkacontroller_activecontrollercount")).toBe(true);
      active += s.get("kafka_controller_kafkacontroller_activecontrollercount")!;
    }
    expect(active).toBe(1);
  });

  test("the lag exporter reports the group's lag: produced minus committed", async () => {
    const s = await scrape(`http://${platform.lagExporter!.address}/metrics`);
    const p0 = `topic="${TOPIC}",partition="0"`;
    expect(s.get("lag_exporter_scrape_complete")).toBe(1);
    expect(s.get("kafka_brokers")).toBe(platform.brokers.length);
    expect(s.get(`kafka_topic_partition_current_offset{${p0}}`)).toBe(PRODUCED);
    expect(s.get(`kafka_topic_partition_oldest_offset{${p0}}`)).toBe(0);
    expect(s.get(`kafka_topic_partition_replicas{${p0}}`)).toBe(platform.replicationFactor);
    expect(s.get(`kafka_topic_partition_in_sync_replica{${p0}}`)).toBe(platform.replicationFactor);
    expect(s.get(`kafka_topic_partition_under_replicated_partition{${p0}}`)).toBe(0);
    expect(s.get(`kafka_topic_partitions{topic="${TOPIC}"}`)).toBe(platform.topics.find((t) => t.name === TOPIC)!.partitions);
    expect(s.get(`kafka_consumergroup_current_offset{consumergroup="${GROUP}",${p0}}`)).toBe(COMMITTED);
    expect(s.get(`kafka_consumergroup_lag{consumergroup="${GROUP}",${p0}}`)).toBe(PRODUCED - COMMITTED);
    // Internal topics are skipped.
    expect([...s.keys()].filter((k) => k.includes('topic="__'))).toEqual([]);

    // And Prometheus has it from its scrapes.
    const deadline = Date.now() + 30_000;
    let lag: number | undefined;
    while (Date.now() < deadline) {
      const r = await platform.monitoring!.query(`kafka_consumergroup_lag{consumergroup="${GROUP}",topic="${TOPIC}",partition="0"}`);
      lag = r[0]?.value;
      if (lag === PRODUCED - COMMITTED) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(lag).toBe(PRODUCED - COMMITTED);
  });

  test("k6 (built from the Go module proxy) drives the gateway, and Prometheus sees the gateway's counter move", async () => {
    const script = path.join(workDir, "smoke.js");
    fs.writeFileSync(
      script,
      `import http from "k6/http";
import { check } from "k6";
export const options = { vus: 2, iterations: 20, thresholds: { checks: ["rate==1"] } };
export default function () {
  const events = Array.from({ length: 10 }, (_, i) => ({
    eventId: "k6smoke-" + __VU + "-" + __ITER + "-" + i, type: "user_action", userId: "u" + i,
    timestamp: Date.now(), name: "page_view", payload: { path: "/" },
  }));
  const res = http.post(__ENV.GATEWAY + "/v1/events", JSON.stringify(events), { headers: { "content-type": "application/json" } });
  check(res, { "202": (r) => r.status === 202 });
}
`,
    );
    const out = execFileSync(platform.parts.k6, ["run", "--quiet", "--no-color", "-e", `GATEWAY=${platform.gateway!.url}`, script], {
      encoding: "utf8",
      env: { ...process.env, K6_NO_USAGE_REPORT: "true" },
    });
    // k6 exits non-zero (execFileSync throws) when the threshold fails; the summary names each check.
    expect(out).toContain("✓ 202");
    expect(out).not.toContain("✗");
    const deadline = Date.now() + 30_000;
    let accepted = 0;
    while (Date.now() < deadline && accepted < 200) {
      const r = await platform.monitoring!.query("sum(ingest_events_total)");
      accepted = r[0]?.value ?? 0;
      if (accepted < 200) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(accepted).toBe(200);
  });
});
