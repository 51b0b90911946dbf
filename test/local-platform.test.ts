import * as fs from "fs";
import * as path from "path";
import { environments } from "../config";
import { STRIMZI_CHART } from "../constructs/kafka/strimzi-operator";
import { KAFKA_JMX_METRICS_CONFIG } from "../domain/kafka-jmx-metrics";
import { parsePlatformArgs } from "../local/cli";
import { parseGatewayArgs, sampleCurl, sampleEvent } from "../local/gateway-cli";
import { validateEvent } from "../services/ingest-gateway/src/events";
import { KafkaClusterLayout, LOCAL_TOPOLOGY_KEYS, serverProperties } from "../local/kafka-node";
import { pomProperty, toolVersions } from "../local/parts";
import { localKafkaSettings, localPlatformProblems } from "../local/platform";
import { parseArgs } from "../loadtest/harness/run-local";
import { Json, manifests, synthEnvironment } from "./helpers";

const ROOT = path.join(__dirname, "..");

describe.each(environments.map((e) => [e.name, e] as const))("%s: the local platform runs the Kafka the kit deploys", (_name, env) => {
  const { out } = synthEnvironment(env);
  const objs = manifests(out.kafka);
  const kafka = objs.find((o) => o.kind === "Kafka")!;
  const strimziTopics = objs.filter((o) => o.kind === "KafkaTopic");
  const local = localKafkaSettings(env);
  const layout: KafkaClusterLayout = {
    clusterId: "test",
    controllers: [{ nodeId: 100, role: "controller", host: "127.0.0.1", port: 1, metricsPort: 2, heapMiB: 256 }],
    brokers: [{ nodeId: 0, role: "broker", host: "127.0.0.1", port: 3, metricsPort: 4, heapMiB: 768, rack: "zone-a" }],
    clusterConfig: local.clusterConfig,
  };

  test.each(["broker", "controller"] as const)(
    "%s server.properties holds every key of the Kafka resource's spec.kafka.config, same value",
    (role) => {
      const node = role === "broker" ? layout.brokers[0] : layout.controllers[0];
      const props = serverProperties(node, layout, "/data");
      const strimzi: Record<string, unknown> = kafka.spec.kafka.config;
      expect(Object.keys(strimzi).length).toBeGreaterThan(5);
      for (const [key, value] of Object.entries(strimzi)) expect([key, props[key]]).toEqual([key, String(value)]);
      // Anything else is the local topology (who, where, which listener), never a setting of the deployed cluster.
      const extra = Object.keys(props).filter((k) => !(k in strimzi));
      for (const k of extra) expect(LOCAL_TOPOLOGY_KEYS).toContain(k);
      for (const k of LOCAL_TOPOLOGY_KEYS) expect(strimzi).not.toHaveProperty(k);
    },
  );

  test("topics: the same names, partitions, replicas and configs as the KafkaTopic resources", () => {
    expect(strimziTopics.map((t) => t.spec.topicName).sort()).toEqual(local.topics.map((t) => t.name).sort());
    for (const t of strimziTopics) {
      const mine = local.topics.find((l) => l.name === t.spec.topicName)!;
      expect(mine.partitions).toBe(t.spec.partitions);
      expect(t.spec.replicas).toBe(env.kafka.replicationFactor);
      expect(mine.config).toEqual(Object.fromEntries(Object.entries(t.spec.config as Json).map(([k, v]) => [k, String(v)])));
    }
  });

  test("the brokers run the JMX exporter rules the Kafka construct ships", () => {
    const cm = Object.values((out.kafka as Json).resource.kubernetes_config_map_v1 as Json).find(
      (c: Json) => c.metadata[0]?.name === "events-kafka-metrics" || c.metadata?.name === "events-kafka-metrics",
    ) as Json;
    expect(Object.values(cm.data)).toEqual([KAFKA_JMX_METRICS_CONFIG]);
  });

  test("local/pom.xml pins the Kafka version this environment deploys", () => {
    expect(pomProperty("kafka.version")).toBe(env.kafka.version);
    expect(STRIMZI_CHART.supportedKafkaVersions).toContain(pomProperty("kafka.version"));
  });
});

describe("pinned parts", () => {
  test("every JVM part in local/pom.xml has an exact version, and k6 is pinned in local/tools.env", () => {
    const pom = fs.readFileSync(path.join(ROOT, "local", "pom.xml"), "utf8");
    for (const v of pom.matchAll(/<version>([^<]+)<\/version>/g)) expect(v[1]).toMatch(/^(\d+\.\d+\.\d+|\$\{[\w.-]+\})$/);
    expect(toolVersions()).toMatchObject({ K6_MODULE: "go.k6.io/k6", K6_VERSION: expect.stringMatching(/^v\d+\.\d+\.\d+$/) });
  });
});

describe("platform:local options", () => {
  test("defaults: 3 brokers, 3 controllers, gateway and monitoring on", () => {
    expect(parsePlatformArgs([])).toMatchObject({ gateway: true, monitoring: true, brokers: undefined });
    expect(localPlatformProblems({}, 3, 2)).toEqual([]);
  });
  test("--no-gateway, --brokers 5, --for-seconds 30", () => {
    expect(parsePlatformArgs(["--no-gateway", "--brokers", "5", "--for-seconds", "30"])).toMatchObject({
      gateway: false,
      brokers: 5,
      forSeconds: 30,
    });
  });
  test.each([
    [["--brokers", "two"], /--brokers: got "two", expected a whole number/],
    [["--brokers"], /--brokers: needs a value/],
    [["--borkers", "3"], /unknown option --borkers; known: --env/],
  ])("%j is refused naming the flag", (argv, message) => {
    expect(() => parsePlatformArgs(argv)).toThrow(message);
  });
  test("fewer brokers than the replication factor, or an even quorum, is refused with what is allowed", () => {
    expect(localPlatformProblems({ brokers: 2 }, 3, 2)).toEqual([expect.stringMatching(/^brokers: got 2, expected a whole number from 3/)]);
    expect(localPlatformProblems({ controllers: 2 }, 3, 2)).toEqual([expect.stringMatching(/^controllers: got 2, expected 1, 3 or 5/)]);
  });
});

describe("loadtest:local options", () => {
  test("real brokers by default; drills by cluster", () => {
    expect(parseArgs([])).toMatchObject({ cluster: "real", drill: undefined });
    expect(parseArgs(["--drill", "partition"])).toMatchObject({ cluster: "real", drill: "partition" });
    expect(parseArgs(["--cluster", "mock", "--drill", "broker-failover"])).toMatchObject({ cluster: "mock", drill: "broker-failover" });
  });
  test.each([
    [
      ["--drill", "broker-failover"],
      /--drill: got "broker-failover", expected with --cluster real one of broker-kill, controller-kill, rolling-restart, partition/,
    ],
    [["--cluster", "mock", "--drill", "partition"], /expected with --cluster mock one of broker-failover/],
    [["--cluster", "kraft"], /--cluster: got "kraft", expected real or mock/],
    [["--partitions", "12"], /--partitions: only with --cluster mock/],
  ])("%j is refused naming the flag", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe("gateway:local", () => {
  test("the printed curl carries an event the gateway accepts", () => {
    const now = new Date();
    const limits = { maxEventBytes: 16 * 1024, maxEventAgeMs: 7 * 24 * 3600 * 1000, maxClockSkewMs: 3600 * 1000 };
    expect(validateEvent(sampleEvent(now), now.getTime(), limits).errors).toEqual([]);
    const body = /-d '(.*)'$/.exec(sampleCurl("http://127.0.0.1:8080", now))![1];
    expect(JSON.parse(body)).toEqual([sampleEvent(now)]);
  });
  test("options: --mock alone, or real brokers with --env and --brokers", () => {
    expect(parseGatewayArgs(["--mock"])).toEqual({ mock: true, env: undefined, brokers: undefined });
    expect(parseGatewayArgs(["--env", "prod", "--brokers", "4"])).toEqual({ mock: false, env: "prod", brokers: 4 });
    expect(() => parseGatewayArgs(["--mock", "--brokers", "4"])).toThrow(/--env and --brokers apply to the real brokers/);
    expect(() => parseGatewayArgs(["--port", "1"])).toThrow(/unknown option --port; known: --mock, --env, --brokers/);
  });
});
