import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { freePort } from "../local/gateway-process";
import { emptySnapshot, LagExporter, snapshotRegistry } from "../local/lag-exporter";
import {
  checkPrometheusConfig,
  MonitoringTargets,
  renderAlertmanagerConfig,
  renderPrometheusConfig,
  targetCount,
  toYaml,
} from "../local/monitoring";

/**
 * The local platform's monitoring configuration (local/monitoring.ts), checked
 * with the real promtool and amtool where Debian's packages are installed, and
 * the lag exporter's series (local/lag-exporter.ts) from a snapshot, without a cluster.
 */

const PROMTOOL = "/usr/bin/promtool";
const AMTOOL = "/usr/bin/amtool";
const withTool = (tool: string) => (fs.existsSync(tool) ? test : test.skip);

const TARGETS: MonitoringTargets = {
  controllers: [100, 101, 102].map((id, i) => ({ nodeId: id, address: `127.0.0.1:${19100 + i}` })),
  brokers: [0, 1, 2].map((id, i) => ({ nodeId: id, address: `127.0.0.1:${19200 + i}` })),
  lagExporter: "127.0.0.1:19300",
  gateway: "127.0.0.1:19400",
};

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "local-monitoring-"));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("prometheus.yml", () => {
  const config = parse(renderPrometheusConfig(TARGETS, "127.0.0.1:19093"));
  const job = (name: string) => config.scrape_configs.find((j: any) => j.job_name === name);

  test("scrapes every 5 s and sends alerts to the local Alertmanager", () => {
    expect(config.global).toMatchObject({ scrape_interval: "5s", evaluation_interval: "5s" });
    expect(config.alerting.alertmanagers).toEqual([{ api_version: "v2", static_configs: [{ targets: ["127.0.0.1:19093"] }] }]);
  });

  test("a job for controllers and one for brokers, a node_id label per target", () => {
    expect(job("kafka-controllers").static_configs).toEqual([
      { targets: ["127.0.0.1:19100"], labels: { node_id: "100" } },
      { targets: ["127.0.0.1:19101"], labels: { node_id: "101" } },
      { targets: ["127.0.0.1:19102"], labels: { node_id: "102" } },
    ]);
    expect(job("kafka-brokers").static_configs.map((s: any) => [s.targets[0], s.labels.node_id])).toEqual([
      ["127.0.0.1:19200", "0"],
      ["127.0.0.1:19201", "1"],
      ["127.0.0.1:19202", "2"],
    ]);
  });

  test("the lag exporter as kafka-exporter; the gateway's /metrics only when it runs", () => {
    expect(job("kafka-exporter").static_configs).toEqual([{ targets: ["127.0.0.1:19300"] }]);
    expect(job("ingest-gateway")).toMatchObject({ metrics_path: "/metrics", static_configs: [{ targets: ["127.0.0.1:19400"] }] });
    const without = parse(renderPrometheusConfig({ ...TARGETS, gateway: undefined }, "127.0.0.1:19093"));
    expect(without.scrape_configs.map((j: any) => j.job_name)).toEqual(["kafka-controllers", "kafka-brokers", "kafka-exporter"]);
    expect(targetCount(TARGETS)).toBe(8);
    expect(targetCount({ ...TARGETS, gateway: undefined })).toBe(7);
  });

  test("rule files go to rule_files (none by default)", () => {
    expect(config.rule_files).toEqual([]);
    expect(parse(renderPrometheusConfig(TARGETS, "127.0.0.1:19093", ["/x/a.yml", "/x/b.yml"])).rule_files).toEqual([
      "/x/a.yml",
      "/x/b.yml",
    ]);
  });

  withTool(PROMTOOL)("promtool check config passes, with and without a rule file", async () => {
    const file = path.join(dir, "prometheus.yml");
    fs.writeFileSync(file, renderPrometheusConfig(TARGETS, "127.0.0.1:19093"));
    await expect(checkPrometheusConfig(PROMTOOL, file)).resolves.toContain("SUCCESS");
    const rules = path.join(dir, "rules.yml");
    fs.writeFileSync(rules, toYaml({ groups: [{ name: "t", rules: [{ alert: "KafkaTargetDown", expr: "up == 0", for: "10s" }] }] }));
    fs.writeFileSync(file, renderPrometheusConfig(TARGETS, "127.0.0.1:19093", [rules]));
    const out = execFileSync(PROMTOOL, ["check", "config", file], { encoding: "utf8" });
    expect(out).toContain("1 rules found");
  });

  withTool(PROMTOOL)("a configuration promtool rejects fails with promtool's output", async () => {
    const file = path.join(dir, "bad.yml");
    fs.writeFileSync(file, renderPrometheusConfig(TARGETS, "127.0.0.1:19093", [path.join(dir, "missing-rules.yml")]));
    await expect(checkPrometheusConfig(PROMTOOL, file)).rejects.toThrow(/promtool check config .*bad\.yml failed[^]*missing-rules\.yml/);
  });
});

describe("alertmanager.yml", () => {
  test("a single route to a receiver with no integrations, short group_wait", () => {
    const config = parse(renderAlertmanagerConfig());
    expect(config.route).toMatchObject({ receiver: "local", group_wait: "1s" });
    expect(config.route.routes).toBeUndefined();
    expect(config.receivers).toEqual([{ name: "local" }]);
  });

  withTool(AMTOOL)("amtool check-config passes", () => {
    const file = path.join(dir, "alertmanager.yml");
    fs.writeFileSync(file, renderAlertmanagerConfig());
    expect(execFileSync(AMTOOL, ["check-config", file], { encoding: "utf8" })).toContain("SUCCESS");
  });
});

describe("toYaml", () => {
  test("round-trips plain data, quoting strings that YAML would read otherwise", () => {
    const data = { a: ["x", "1", "true", "null", "a: b", "#c"], b: { c: [], d: {}, e: [{ f: 1, g: [true, null] }] }, "h i": 2.5 };
    expect(parse(toYaml(data))).toEqual(data);
  });
});

describe("lag exporter series (kafka_exporter's names and labels)", () => {
  const series = async (text: Promise<string> | string) =>
    (await text)
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => l.replace(/ ([^ ]+)$/, "\t$1").split("\t"))
      .map(([s, v]) => [s, Number(v)] as const);

  test("topics, partitions, offsets, replicas and group lag from a snapshot", async () => {
    const snap = emptySnapshot();
    snap.brokers = [
      { id: 0, address: "127.0.0.1:9092" },
      { id: 1, address: "127.0.0.1:9093" },
    ];
    snap.topics.set("events.a", [
      { partition: 0, leader: 0, replicas: [0, 1], isr: [0, 1] },
      { partition: 1, leader: 0, replicas: [1, 0], isr: [0] },
    ]);
    snap.offsets.set(
      "events.a",
      new Map([
        [0, { current: 20, oldest: 0 }],
        [1, { current: 5, oldest: 2 }],
      ]),
    );
    snap.groups.set("g1", {
      members: 1,
      committed: new Map([
        [
          "events.a",
          new Map([
            [0, 12],
            [1, -1],
          ]),
        ],
        ["events.b", new Map([[0, -1]])],
      ]),
    });
    snap.groups.set("g2", {});
    snap.complete = true;
    const got = new Map(await series(snapshotRegistry(snap).metrics()));
    const expected: [string, number][] = [
      ["kafka_brokers", 2],
      ['kafka_broker_info{id="1",address="127.0.0.1:9093"}', 1],
      ['kafka_topic_partitions{topic="events.a"}', 2],
      ['kafka_topic_partition_current_offset{topic="events.a",partition="0"}', 20],
      ['kafka_topic_partition_oldest_offset{topic="events.a",partition="1"}', 2],
      ['kafka_topic_partition_leader{topic="events.a",partition="1"}', 0],
      ['kafka_topic_partition_replicas{topic="events.a",partition="1"}', 2],
      ['kafka_topic_partition_in_sync_replica{topic="events.a",partition="1"}', 1],
      ['kafka_topic_partition_leader_is_preferred{topic="events.a",partition="0"}', 1],
      ['kafka_topic_partition_leader_is_preferred{topic="events.a",partition="1"}', 0],
      ['kafka_topic_partition_under_replicated_partition{topic="events.a",partition="0"}', 0],
      ['kafka_topic_partition_under_replicated_partition{topic="events.a",partition="1"}', 1],
      ['kafka_consumergroup_current_offset{consumergroup="g1",topic="events.a",partition="0"}', 12],
      ['kafka_consumergroup_current_offset{consumergroup="g1",topic="events.a",partition="1"}', -1],
      ['kafka_consumergroup_lag{consumergroup="g1",topic="events.a",partition="0"}', 8],
      ['kafka_consumergroup_lag{consumergroup="g1",topic="events.a",partition="1"}', -1],
      ['kafka_consumergroup_lag_sum{consumergroup="g1",topic="events.a"}', 8],
      ['kafka_consumergroup_members{consumergroup="g1"}', 1],
      ["lag_exporter_scrape_complete", 1],
      ["lag_exporter_scrape_errors", 0],
    ];
    for (const [s, v] of expected) expect([s, got.get(s)]).toEqual([s, v]);
    // A topic the group never committed on is not reported for it.
    expect([...got.keys()].filter((s) => s.includes('topic="events.b"'))).toEqual([]);
  });

  test("a scrape while the cluster does not answer comes back within the time limit, marked partial", async () => {
    // A "broker" that accepts connections and never answers.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    const exporter = await LagExporter.start([`127.0.0.1:${(silent.address() as net.AddressInfo).port}`], await freePort(), {
      timeoutMs: 1500,
    });
    try {
      expect(exporter.address).toMatch(/^127\.0\.0\.1:\d+$/);
      const started = Date.now();
      const res = await fetch(`http://${exporter.address}/metrics`);
      expect(Date.now() - started).toBeLessThan(4000);
      expect(res.status).toBe(200);
      const got = new Map(await series(res.text()));
      expect(got.get("lag_exporter_scrape_complete")).toBe(0);
      expect(got.has("kafka_brokers")).toBe(false);
    } finally {
      await exporter.stop();
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });
});
