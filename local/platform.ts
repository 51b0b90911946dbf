/**
 * The local platform: real Apache Kafka in KRaft mode (separate controllers and
 * brokers, as the kit deploys them), the topic catalog with the partitions and
 * settings an environment's config gives them, the JMX exporter on every node,
 * a consumer-lag exporter, Prometheus and Alertmanager, and optionally the
 * ingest gateway, all as processes on loopback. A local result, never a cloud result.
 */
import * as fs from "fs";
import { Kafka, logLevel } from "kafkajs";
import * as path from "path";
import { EnvironmentConfig, environmentNamed } from "../config";
import { planForEnvironment } from "../config/capacity";
import { TOPIC_CATALOG } from "../domain/event-catalog";
import { KafkaConfigValue, kafkaBrokerConfig, kafkaTopicConfig } from "../domain/kafka-broker-config";
import { freePort, RunningGateway, startGateway } from "./gateway-process";
import { KafkaClusterLayout, KafkaNode, KafkaNodeSpec, newClusterId } from "./kafka-node";
import { LagExporter } from "./lag-exporter";
import { NodeNetwork } from "./network";
import { Monitoring, startMonitoring } from "./monitoring";
import { LocalParts, localParts, RUNS_DIR } from "./parts";

export interface LocalPlatformOptions {
  /** Environment whose Kafka settings and topic partitions the platform takes. @default "dev" */
  readonly env?: string;
  /** Brokers, at least the environment's replication factor. @default 3 */
  readonly brokers?: number;
  /** KRaft controllers (an odd number: a majority must survive one loss). @default 3 */
  readonly controllers?: number;
  /** Start the ingest gateway. @default true */
  readonly gateway?: boolean;
  /** Extra gateway environment (its settings; see services/ingest-gateway/src/config.ts). @default none */
  readonly gatewayEnv?: Readonly<Record<string, string>>;
  /** Start Prometheus, Alertmanager and the lag exporter. @default true */
  readonly monitoring?: boolean;
  /**
   * "loopback": every node on 127.0.0.1. "netns": each node in a network
   * namespace of its own (local/network.ts; root needed), so `isolate` can cut
   * one off; the partition drill uses it.
   * @default "loopback"
   */
  readonly network?: "loopback" | "netns";
  /** Broker heap, MiB. @default 768 */
  readonly brokerHeapMiB?: number;
  /** Where node data, configs and logs go. @default .cache/local-platform/runs/<timestamp> */
  readonly workDir?: string;
  /**
   * Keep the nodes' data (their logs, metadata) after stop. Configs and log
   * files are always kept; the data of a one-minute run at 300M/day is ~200 MB.
   * @default false
   */
  readonly keepData?: boolean;
  /** Progress messages. @default console.log */
  readonly log?: (msg: string) => void;
}

/** What `platform:local` checks before it starts anything; each problem names the option, the value and what is allowed. */
export function localPlatformProblems(opts: LocalPlatformOptions, replicationFactor: number, minInsyncReplicas: number): string[] {
  const problems: string[] = [];
  const brokers = opts.brokers ?? 3;
  const controllers = opts.controllers ?? 3;
  if (!(Number.isInteger(brokers) && brokers >= replicationFactor && brokers <= 9))
    problems.push(`brokers: got ${brokers}, expected a whole number from ${replicationFactor} (the replication factor) to 9`);
  if (!(Number.isInteger(controllers) && controllers % 2 === 1 && controllers >= 1 && controllers <= 5))
    problems.push(`controllers: got ${controllers}, expected 1, 3 or 5 (a quorum needs a majority)`);
  if (minInsyncReplicas >= replicationFactor)
    problems.push(`min.insync.replicas ${minInsyncReplicas} leaves no room for a broker loss at replication factor ${replicationFactor}`);
  const heap = opts.brokerHeapMiB ?? 768;
  if (!(Number.isInteger(heap) && heap >= 256 && heap <= 8192)) problems.push(`brokerHeapMiB: got ${heap}, expected 256 to 8192`);
  return problems;
}

const ZONES = ["zone-a", "zone-b", "zone-c"];

export interface LocalTopic {
  readonly name: string;
  readonly partitions: number;
  readonly config: Readonly<Record<string, string>>;
}

/**
 * The Kafka settings of `env` as the local platform applies them: the same
 * functions render the Strimzi Kafka and KafkaTopic resources of that
 * environment (domain/kafka-broker-config.ts), and the partitions come from
 * the same capacity plan, so local and deployed cannot drift.
 */
export function localKafkaSettings(env: EnvironmentConfig): {
  readonly clusterConfig: Record<string, KafkaConfigValue>;
  readonly topics: readonly LocalTopic[];
} {
  const plan = planForEnvironment(env);
  const retentionHours = env.load.retentionDays * 24;
  const minIsr = env.kafka.minInsyncReplicas;
  const clusterConfig = kafkaBrokerConfig({ replicationFactor: env.kafka.replicationFactor, minInsyncReplicas: minIsr, retentionHours });
  const topics = TOPIC_CATALOG.map((t) => {
    const planned = plan.topics.find((p) => p.name === t.name);
    if (!planned) throw new Error(`the capacity plan of ${env.name} has no topic ${t.name}`);
    const config = kafkaTopicConfig(t, { minInsyncReplicas: minIsr, defaultRetentionHours: retentionHours });
    return {
      name: t.name,
      partitions: planned.partitions,
      config: Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])),
    };
  });
  return { clusterConfig, topics };
}

export class LocalPlatform {
  private stopped = false;

  private constructor(
    readonly parts: LocalParts,
    readonly workDir: string,
    readonly layout: KafkaClusterLayout,
    readonly controllers: readonly KafkaNode[],
    readonly brokers: readonly KafkaNode[],
    readonly topics: readonly LocalTopic[],
    readonly replicationFactor: number,
    private readonly log: (msg: string) => void,
    private readonly network: NodeNetwork | undefined,
    private readonly keepData: boolean,
    public gateway?: RunningGateway,
    public lagExporter?: LagExporter,
    public monitoring?: Monitoring,
  ) {}

  get bootstrapServers(): string[] {
    return this.brokers.map((b) => b.address);
  }

  /** Starts everything; on any failure stops what it started and rethrows. */
  static async start(opts: LocalPlatformOptions = {}): Promise<LocalPlatform> {
    const log = opts.log ?? ((m: string) => console.log(m));
    const env = environmentNamed(opts.env ?? "dev");
    const rf = env.kafka.replicationFactor;
    const minIsr = env.kafka.minInsyncReplicas;
    const problems = localPlatformProblems(opts, rf, minIsr);
    if (problems.length) throw new Error(`platform:local: ${problems.join("; ")}`);
    const parts = localParts();
    if (parts.kafkaVersion !== env.kafka.version)
      throw new Error(
        `platform:local: local/pom.xml pins Kafka ${parts.kafkaVersion} but ${env.name} deploys ${env.kafka.version}; change one so they match`,
      );
    const workDir = opts.workDir ?? path.join(RUNS_DIR, new Date().toISOString().replace(/[:.]/g, "-"));
    fs.mkdirSync(workDir, { recursive: true });

    const { clusterConfig, topics } = localKafkaSettings(env);
    const nodeCount = (opts.controllers ?? 3) + (opts.brokers ?? 3);
    const network = opts.network === "netns" ? NodeNetwork.create(nodeCount) : undefined;
    let next = 0;
    // In a namespace of its own a node has its own address, so it takes Kafka's usual ports.
    const spec = async (nodeId: number, role: "controller" | "broker", heapMiB: number, rack?: string): Promise<KafkaNodeSpec> => {
      const netns = network?.hosts[next++];
      return {
        nodeId,
        role,
        host: netns?.address ?? "127.0.0.1",
        port: netns ? 9092 : await freePort(),
        metricsPort: netns ? 9404 : await freePort(),
        heapMiB,
        rack,
        netns,
      };
    };
    const controllerSpecs: KafkaNodeSpec[] = [];
    for (let i = 0; i < (opts.controllers ?? 3); i++) controllerSpecs.push(await spec(100 + i, "controller", 256));
    const brokerSpecs: KafkaNodeSpec[] = [];
    for (let i = 0; i < (opts.brokers ?? 3); i++)
      brokerSpecs.push(await spec(i, "broker", opts.brokerHeapMiB ?? 768, ZONES[i % ZONES.length]));
    const layout: KafkaClusterLayout = { clusterId: newClusterId(), controllers: controllerSpecs, brokers: brokerSpecs, clusterConfig };
    const controllers = controllerSpecs.map((s) => new KafkaNode(s, layout, parts, workDir));
    const brokers = brokerSpecs.map((s) => new KafkaNode(s, layout, parts, workDir));
    const platform = new LocalPlatform(parts, workDir, layout, controllers, brokers, topics, rf, log, network, opts.keepData ?? false);
    try {
      log(
        `platform: Kafka ${parts.kafkaVersion}, ${controllers.length} controllers + ${brokers.length} brokers (${env.name} settings) in ${workDir}`,
      );
      await Promise.all([...controllers, ...brokers].map((n) => n.prepare()));
      await Promise.all(controllers.map((n) => n.start()));
      await Promise.all(brokers.map((n) => n.start()));
      await platform.createTopics();
      log(`platform: topics ${topics.map((t) => `${t.name} (${t.partitions})`).join(", ")}`);
      if (opts.monitoring ?? true) {
        platform.lagExporter = await LagExporter.start(platform.bootstrapServers, await freePort());
      }
      if (opts.gateway ?? true) {
        // Idempotence on, as the gateway runs against Strimzi.
        platform.gateway = await startGateway(platform.bootstrapServers, { KAFKA_IDEMPOTENCE: "on", ...opts.gatewayEnv });
      }
      if (opts.monitoring ?? true) {
        platform.monitoring = await startMonitoring({
          workDir: path.join(workDir, "monitoring"),
          parts,
          targets: {
            controllers: controllers.map((n) => ({ nodeId: n.spec.nodeId, address: `${n.spec.host}:${n.spec.metricsPort}` })),
            brokers: brokers.map((n) => ({ nodeId: n.spec.nodeId, address: `${n.spec.host}:${n.spec.metricsPort}` })),
            lagExporter: platform.lagExporter!.address,
            gateway: platform.gateway ? new URL(platform.gateway.url).host : undefined,
          },
        });
      }
      return platform;
    } catch (e) {
      await platform.stop();
      throw e;
    }
  }

  kafka(clientId = "local-platform"): Kafka {
    return new Kafka({
      clientId,
      brokers: this.bootstrapServers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 2000 },
    });
  }

  private async createTopics(): Promise<void> {
    const admin = this.kafka("local-platform-admin").admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: this.topics.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: this.replicationFactor,
          configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
        })),
      });
      // Every partition has a leader on every broker's metadata before anyone produces (kafkajs's own
      // waitForLeaders gives up on the UNKNOWN_TOPIC_OR_PARTITION a broker answers until its metadata catches up).
      const deadline = Date.now() + 60_000;
      for (;;) {
        const led = await admin
          .fetchTopicMetadata({ topics: this.topics.map((t) => t.name) })
          .then((m) => m.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
          .catch(() => false);
        if (led) return;
        if (Date.now() > deadline) throw new Error("topics created but some partitions had no leader after 60 s");
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await admin.disconnect();
    }
  }

  /** Node id of the active KRaft controller: the one whose JMX exporter reports ActiveControllerCount 1. */
  async activeController(): Promise<KafkaNode | undefined> {
    for (const c of this.controllers) {
      if (!c.running) continue;
      try {
        const text = await (await fetch(c.metricsUrl, { signal: AbortSignal.timeout(3000) })).text();
        if (/^kafka_controller_kafkacontroller_activecontrollercount 1(\.0)?$/m.test(text)) return c;
      } catch {
        // not answering: not the active one
      }
    }
    return undefined;
  }

  /**
   * Partitions of the catalog's topics whose in-sync replicas are fewer than
   * their replicas (under-replicated), as the brokers report them now.
   */
  async underReplicatedPartitions(): Promise<number> {
    const admin = this.kafka("local-platform-health").admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: this.topics.map((t) => t.name) });
      return meta.topics.reduce((n, t) => n + t.partitions.filter((p) => p.isr.length < p.replicas.length).length, 0);
    } finally {
      await admin.disconnect();
    }
  }

  /** Waits until no partition is under-replicated (a restarted broker has caught up); false on timeout. */
  async waitInSync(timeoutMs = 120_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        if ((await this.underReplicatedPartitions()) === 0) return true;
      } catch {
        // metadata not available yet
      }
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** What a user connects to. */
  endpoints(): Record<string, string> {
    return {
      "bootstrap servers": this.bootstrapServers.join(","),
      ...(this.gateway ? { gateway: this.gateway.url } : {}),
      ...(this.monitoring ? { prometheus: this.monitoring.prometheusUrl, alertmanager: this.monitoring.alertmanagerUrl } : {}),
      ...(this.lagExporter ? { "consumer lag metrics": `http://${this.lagExporter.address}/metrics` } : {}),
      "broker metrics (JMX exporter)": this.brokers.map((b) => b.metricsUrl).join(" "),
      "work dir (configs, logs)": this.workDir,
    };
  }

  /** Stops everything it started, newest first; safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.log("platform: stopping");
    await this.monitoring?.stop().catch(() => undefined);
    await this.gateway?.stop().catch(() => undefined);
    await this.lagExporter?.stop().catch(() => undefined);
    await Promise.all(this.brokers.map((b) => b.stop("SIGTERM", 30_000).catch(() => undefined)));
    await Promise.all(this.controllers.map((c) => c.stop("SIGTERM", 15_000).catch(() => undefined)));
    this.network?.destroy();
    if (!this.keepData) for (const n of [...this.controllers, ...this.brokers]) fs.rmSync(n.dataDir, { recursive: true, force: true });
  }

  /** Cuts `node` off from every other Kafka node (needs network "netns"); clients still reach it. */
  async isolate(node: KafkaNode): Promise<void> {
    if (!this.network || !node.spec.netns) throw new Error('isolate: the platform was started without network "netns"');
    const all = [...this.controllers, ...this.brokers].map((n) => n.spec.netns!);
    this.network.isolate(node.spec.netns, all);
  }

  /** Undoes `isolate`. */
  async heal(node: KafkaNode): Promise<void> {
    if (!this.network || !node.spec.netns) throw new Error('heal: the platform was started without network "netns"');
    this.network.heal(node.spec.netns);
  }
}
