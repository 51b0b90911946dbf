/**
 * One Apache Kafka process of the local platform: a KRaft controller or a
 * broker, started from the Maven Central jars with the JMX exporter agent, its
 * server.properties rendered from the kit's broker settings (domain/kafka-broker-config.ts).
 */
import { ChildProcess, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { KafkaConfigValue } from "../domain/kafka-broker-config";
import { KAFKA_JMX_METRICS_CONFIG } from "../domain/kafka-jmx-metrics";
import { NodeHost, NodeNetwork } from "./network";
import { LocalParts } from "./parts";
import { stopProcess } from "./process";

export type KafkaRole = "controller" | "broker";

export interface KafkaNodeSpec {
  readonly nodeId: number;
  readonly role: KafkaRole;
  /** Address the node listens on and advertises. */
  readonly host: string;
  readonly port: number;
  /** The JMX exporter agent's HTTP port. */
  readonly metricsPort: number;
  /** broker.rack (brokers only): the zone stand-in that rack-aware replica placement spreads over. */
  readonly rack?: string;
  readonly heapMiB: number;
  /** The network namespace the node runs in (the partition drill); none: the caller's. */
  readonly netns?: NodeHost;
}

export interface KafkaClusterLayout {
  readonly clusterId: string;
  readonly controllers: readonly KafkaNodeSpec[];
  readonly brokers: readonly KafkaNodeSpec[];
  /** The kit's cluster-wide settings: Strimzi's spec.kafka.config, applied to controllers and brokers alike. */
  readonly clusterConfig: Readonly<Record<string, KafkaConfigValue>>;
}

/**
 * Settings only the local topology needs: who the node is, where it listens,
 * the quorum, and plaintext on loopback (deployed: SCRAM-SHA-512 over TLS,
 * which Strimzi configures itself). Everything else comes from clusterConfig;
 * the keys here never override it (test/local-platform.test.ts checks).
 */
export const LOCAL_TOPOLOGY_KEYS = [
  "process.roles",
  "node.id",
  "controller.quorum.voters",
  "controller.listener.names",
  "listener.security.protocol.map",
  "listeners",
  "advertised.listeners",
  "inter.broker.listener.name",
  "broker.rack",
  "log.dirs",
] as const;

/** server.properties of one node, as key/value pairs. */
export function serverProperties(node: KafkaNodeSpec, layout: KafkaClusterLayout, dataDir: string): Record<string, string> {
  const topology: Record<string, string> = {
    "process.roles": node.role,
    "node.id": String(node.nodeId),
    "controller.quorum.voters": layout.controllers.map((c) => `${c.nodeId}@${c.host}:${c.port}`).join(","),
    "controller.listener.names": "CONTROLLER",
    "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    "log.dirs": dataDir,
  };
  if (node.role === "controller") {
    topology.listeners = `CONTROLLER://${node.host}:${node.port}`;
  } else {
    topology.listeners = `PLAINTEXT://${node.host}:${node.port}`;
    topology["advertised.listeners"] = `PLAINTEXT://${node.host}:${node.port}`;
    topology["inter.broker.listener.name"] = "PLAINTEXT";
    if (node.rack) topology["broker.rack"] = node.rack;
  }
  const cluster = Object.fromEntries(Object.entries(layout.clusterConfig).map(([k, v]) => [k, String(v)]));
  return { ...cluster, ...topology };
}

export function renderProperties(props: Record<string, string>): string {
  return `${Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n")}\n`;
}

const LOG4J2 = `status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = \${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.state.name = state.change.logger
logger.state.level = WARN
`;

const STARTED = "Kafka Server started";

/** Runs a JVM entry point to completion; rejects with its output on a non-zero exit. */
function runJava(parts: LocalParts, args: readonly string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(parts.java, ["-cp", `${parts.kafkaLibs}/*`, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${what} exited with ${code}:\n${out}`))));
  });
}

/** A new KRaft cluster id (base64 of 16 random bytes, URL-safe, no padding), as `kafka-storage random-uuid` prints. */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    // Kafka's own generator skips ids that start with "-": a command line would read them as a flag.
    if (!id.startsWith("-")) return id;
  }
}

export class KafkaNode {
  readonly dir: string;
  readonly dataDir: string;
  readonly logFile: string;
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  private logOffset = 0;

  constructor(
    readonly spec: KafkaNodeSpec,
    private readonly layout: KafkaClusterLayout,
    private readonly parts: LocalParts,
    baseDir: string,
  ) {
    this.dir = path.join(baseDir, `${spec.role}-${spec.nodeId}`);
    this.dataDir = path.join(this.dir, "data");
    this.logFile = path.join(this.dir, "server.log");
  }

  get name(): string {
    return `${this.spec.role} ${this.spec.nodeId}`;
  }
  get address(): string {
    return `${this.spec.host}:${this.spec.port}`;
  }
  get metricsUrl(): string {
    return `http://${this.spec.host}:${this.spec.metricsPort}/metrics`;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Writes the configuration files and formats the node's storage with the cluster id. */
  async prepare(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    fs.writeFileSync(path.join(this.dir, "server.properties"), renderProperties(serverProperties(this.spec, this.layout, this.dataDir)));
    fs.writeFileSync(path.join(this.dir, "log4j2.properties"), LOG4J2);
    fs.writeFileSync(path.join(this.dir, "jmx-exporter.yaml"), KAFKA_JMX_METRICS_CONFIG);
    await runJava(
      this.parts,
      ["kafka.tools.StorageTool", "format", "-t", this.layout.clusterId, "-c", path.join(this.dir, "server.properties")],
      `formatting ${this.name}`,
    );
  }

  /** Starts the JVM (after prepare); resolves once it logged that the server started. */
  async start(timeoutMs = 90_000): Promise<void> {
    if (this.running) return;
    this.logOffset = fs.existsSync(this.logFile) ? fs.statSync(this.logFile).size : 0;
    const heap = `${this.spec.heapMiB}m`;
    const [command, args] = NodeNetwork.wrap(this.spec.netns, this.parts.java, [
      `-Xms${heap}`,
      `-Xmx${heap}`,
      "-XX:+UseG1GC",
      "-XX:MaxGCPauseMillis=20",
      // C1 only: on 2 cores the C2 compiler threads of six fresh JVMs took most of the CPU of a short run
      // (brokers 80 CPU-s in a 55 s load at 3.5K events/s; 48 CPU-s with C1 only, ingest p50 3 s -> 57 ms; measured here).
      "-XX:TieredStopAtLevel=1",
      `-Dlog4j2.configurationFile=${path.join(this.dir, "log4j2.properties")}`,
      `-Dkafka.logs.dir=${this.dir}`,
      `-javaagent:${this.parts.jmxAgentJar}=${this.spec.host}:${this.spec.metricsPort}:${path.join(this.dir, "jmx-exporter.yaml")}`,
      "-cp",
      `${this.parts.kafkaLibs}/*`,
      "kafka.Kafka",
      path.join(this.dir, "server.properties"),
    ]);
    // `ip netns exec` execs the JVM in place, so the child's pid is the JVM's and signals reach it.
    const child = spawn(command, args, {
      stdio: ["ignore", fs.openSync(path.join(this.dir, "stdout.log"), "a"), fs.openSync(path.join(this.dir, "stdout.log"), "a")],
    });
    this.child = child;
    this.exited = new Promise((r) => child.once("exit", (code) => r(code)));
    const deadline = Date.now() + timeoutMs;
    while (!this.logSinceStart().includes(STARTED)) {
      if (!this.running) throw new Error(`${this.name} exited during start-up; see ${this.logFile}:\n${this.tail()}`);
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`${this.name} did not start within ${timeoutMs} ms; see ${this.logFile}:\n${this.tail()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGKILL (a crash: no controlled shutdown) or SIGTERM (controlled shutdown); resolves when the process is gone. */
  async stop(signal: "SIGKILL" | "SIGTERM" = "SIGTERM", timeoutMs = 60_000): Promise<void> {
    if (this.running) await stopProcess(this.child!, this.exited!, signal, timeoutMs);
  }

  private logSinceStart(): string {
    if (!fs.existsSync(this.logFile)) return "";
    const fd = fs.openSync(this.logFile, "r");
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.max(0, size - this.logOffset));
      fs.readSync(fd, buf, 0, buf.length, this.logOffset);
      return buf.toString("utf8");
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The last lines of the node's logs, for error messages. */
  tail(lines = 30): string {
    const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "");
    return `${read(path.join(this.dir, "stdout.log"))}${read(this.logFile)}`.split("\n").slice(-lines).join("\n");
  }
}
