import { ChildProcessWithoutNullStreams, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { repoRoot } from "./parts";

const ROOT = repoRoot(__dirname);
/** Where `make` puts the binary (see loadtest/mock-cluster/Makefile). */
export const MOCK_CLUSTER_BINARY = path.join(ROOT, "build", "mock-cluster");
const SOURCE_DIR = path.join(ROOT, "loadtest", "mock-cluster");

/** Builds the mock cluster if it is missing or older than its source. Throws with the compiler output on failure. */
export function ensureMockClusterBuilt(): string {
  const src = path.join(SOURCE_DIR, "mock_cluster.c");
  const fresh = fs.existsSync(MOCK_CLUSTER_BINARY) && fs.statSync(MOCK_CLUSTER_BINARY).mtimeMs >= fs.statSync(src).mtimeMs;
  if (!fresh) {
    const res = spawnSync("make", ["-s", "-C", SOURCE_DIR, `OUT=${MOCK_CLUSTER_BINARY}`], { encoding: "utf8" });
    if (res.status !== 0) {
      throw new Error(
        `building the mock Kafka cluster failed (needs Debian packages librdkafka-dev and pkg-config):\n${res.stdout}${res.stderr}`,
      );
    }
  }
  return MOCK_CLUSTER_BINARY;
}

/**
 * librdkafka's mock cluster in a child process: a real Kafka-protocol peer on
 * loopback, with topics and faults driven over its stdin line protocol.
 */
export class MockKafkaCluster {
  private readonly lines: string[] = [];
  private waiter?: () => void;
  private queue: Promise<unknown> = Promise.resolve();
  private exited = false;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly bootstrapServers: string[],
  ) {
    child.on("exit", () => {
      this.exited = true;
      this.waiter?.();
    });
  }

  static async start(brokers = 3): Promise<MockKafkaCluster> {
    const bin = ensureMockClusterBuilt();
    const child = spawn(bin, [String(brokers)], { stdio: ["pipe", "pipe", "pipe"] });
    const rl = readline.createInterface({ input: child.stdout });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const bootstrap = await new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`mock cluster did not start in 10 s: ${stderr}`)), 10_000);
      rl.once("line", (line) => {
        clearTimeout(timer);
        const m = /^BOOTSTRAP (.+)$/.exec(line);
        if (m) resolve(m[1].split(","));
        else reject(new Error(`unexpected first line from mock cluster: ${line}`));
      });
      child.once("exit", (code) => reject(new Error(`mock cluster exited with ${code}: ${stderr}`)));
    });
    const cluster = new MockKafkaCluster(child, bootstrap);
    rl.on("line", (line) => {
      cluster.lines.push(line);
      cluster.waiter?.();
    });
    return cluster;
  }

  /** Sends one command and resolves with its reply lines (the last is OK ...); rejects on ERR. */
  command(line: string): Promise<string[]> {
    const run = async () => {
      if (this.exited) throw new Error(`mock cluster has exited; cannot run: ${line}`);
      this.child.stdin.write(`${line}\n`);
      const reply: string[] = [];
      for (;;) {
        while (this.lines.length === 0) {
          if (this.exited) throw new Error(`mock cluster exited while running: ${line}`);
          await new Promise<void>((r) => (this.waiter = r));
        }
        const next = this.lines.shift()!;
        reply.push(next);
        if (next.startsWith("OK ")) return reply;
        if (next.startsWith("ERR ")) throw new Error(`mock cluster: ${next}`);
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async createTopic(name: string, partitions: number, replication = 3): Promise<void> {
    await this.command(`topic ${name} ${partitions} ${replication}`);
  }

  /** Takes a broker down and moves its partition leadership to the others; returns how many moved. */
  async failover(broker: number): Promise<number> {
    const [ok] = (await this.command(`failover ${broker}`)).slice(-1);
    return Number(/moved=(\d+)/.exec(ok)?.[1] ?? 0);
  }

  /** Makes `broker` the coordinator of a consumer group (what a controller does when the old one fails). */
  async setCoordinator(group: string, broker: number): Promise<void> {
    await this.command(`coordinator ${group} ${broker}`);
  }

  /** Brings a broker back and returns its original leadership to it. */
  async restore(broker: number): Promise<number> {
    const [ok] = (await this.command(`restore ${broker}`)).slice(-1);
    return Number(/moved=(\d+)/.exec(ok)?.[1] ?? 0);
  }

  async leaders(): Promise<{ topic: string; partition: number; broker: number }[]> {
    return (await this.command("leaders"))
      .filter((l) => l.startsWith("LEADER "))
      .map((l) => {
        const [, topic, partition, broker] = l.split(" ");
        return { topic, partition: Number(partition), broker: Number(broker) };
      });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((r) => this.child.once("exit", () => r()));
    try {
      await Promise.race([this.command("quit"), new Promise((r) => setTimeout(r, 2000))]);
    } catch {
      // already gone
    }
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }
}
