/**
 * Consumer-lag and topic metrics for the local platform: a small stand-in for
 * kafka_exporter (github.com/danielqsj/kafka_exporter), the Go exporter Strimzi
 * deploys as its "Kafka Exporter".
 *
 * Why it exists: the local platform would build kafka_exporter with `go install`,
 * but the Go module proxy this machine reaches refuses the module (403 "not
 * available" for every version), so there is nothing to run. This exporter
 * answers with the same metric names and labels, so the kit's alert rules and
 * Strimzi's Kafka Exporter dashboard read it unchanged:
 *
 *   kafka_brokers, kafka_broker_info{id,address},
 *   kafka_topic_partitions{topic},
 *   kafka_topic_partition_{current_offset,oldest_offset,leader,replicas,in_sync_replica,
 *                          leader_is_preferred,under_replicated_partition}{topic,partition},
 *   kafka_consumergroup_{current_offset,lag}{consumergroup,topic,partition},
 *   kafka_consumergroup_{current_offset_sum,lag_sum}{consumergroup,topic},
 *   kafka_consumergroup_members{consumergroup}.
 *
 * As kafka_exporter does (with its default offset.show-all): every group the
 * brokers list is reported for every topic it has a committed offset on; a
 * partition of such a topic without a commit reports current_offset -1 and lag
 * -1; lag is the partition's current (end) offset minus the committed offset.
 *
 * What differs from kafka_exporter:
 * - Internal topics (names starting with "__", such as __consumer_offsets) are
 *   skipped; kafka_exporter's default topic filter (".*") includes them.
 * - Everything is read on each scrape with kafkajs' admin client (kafka_exporter
 *   caches metadata for 30 s), within a time limit: a scrape during a broker
 *   failure answers after at most `timeoutMs` with what it could read, and
 *   `lag_exporter_scrape_complete` 0 says the answer is partial. At most one
 *   collection runs at a time; scrapes during it share it.
 * - End offsets come from ListOffsets at READ_COMMITTED (what kafkajs' admin
 *   sends): the last stable offset, which is the high watermark kafka_exporter
 *   reads unless a transaction is open.
 * - Groups are listed with kafkajs, which fails as a whole when one broker does
 *   not answer; the exporter then reads the groups the last full listing had
 *   (kafka_exporter lists groups broker by broker).
 * - No topic/group filter flags, no SASL/TLS, no ZooKeeper lag, no
 *   kafka_exporter_build_info; two series of its own: lag_exporter_scrape_complete
 *   and lag_exporter_scrape_errors (the steps that failed in the last collection).
 */
import * as http from "http";
import { Admin, Kafka, logLevel } from "kafkajs";
import { Gauge, Registry } from "prom-client";

export interface PartitionState {
  readonly partition: number;
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

export interface GroupState {
  /** Members, when the group could be described. */
  members?: number;
  /** Committed offsets by topic and partition (-1: none), when they could be read. */
  committed?: Map<string, Map<number, number>>;
}

/** What one collection read; any part may be missing when a step failed or ran out of time. */
export interface LagSnapshot {
  brokers?: { readonly id: number; readonly address: string }[];
  /** Partitions of each (non-internal) topic, from the metadata. */
  readonly topics: Map<string, readonly PartitionState[]>;
  /** End (current) and oldest offset of each partition, by topic. */
  readonly offsets: Map<string, Map<number, { readonly current: number; readonly oldest: number }>>;
  readonly groups: Map<string, GroupState>;
  /** Every step finished within the time limit. */
  complete: boolean;
  /** Steps that failed, with their error. */
  readonly errors: string[];
}

export function emptySnapshot(): LagSnapshot {
  return { topics: new Map(), offsets: new Map(), groups: new Map(), complete: false, errors: [] };
}

const isInternal = (topic: string) => topic.startsWith("__");

/**
 * Reads the cluster into `snap` step by step, so a caller that stops waiting
 * still has what was read. `knownGroups`: the groups to read when listing them
 * fails (kafkajs asks broker after broker and fails as a whole when one does
 * not answer; a group's offsets come from its coordinator, which may be fine).
 */
export async function collectInto(admin: Admin, snap: LagSnapshot, knownGroups: readonly string[] = []): Promise<void> {
  const step = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      snap.errors.push(`${what}: ${(e as Error).message}`);
    }
  };
  let topics: string[] = [];
  await Promise.all([
    step("describeCluster", async () => {
      const cluster = await admin.describeCluster();
      snap.brokers = cluster.brokers.map((b) => ({ id: b.nodeId, address: `${b.host}:${b.port}` }));
    }),
    step("listTopics", async () => {
      topics = (await admin.listTopics()).filter((t) => !isInternal(t)).sort();
    }),
  ]);
  await Promise.all([
    step("fetchTopicMetadata", async () => {
      if (!topics.length) return;
      const meta = await admin.fetchTopicMetadata({ topics });
      for (const t of meta.topics) {
        snap.topics.set(
          t.name,
          t.partitions
            .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
            .sort((a, b) => a.partition - b.partition),
        );
      }
    }),
    ...topics.map((topic) =>
      step(`fetchTopicOffsets ${topic}`, async () => {
        const offsets = await admin.fetchTopicOffsets(topic);
        snap.offsets.set(topic, new Map(offsets.map((o) => [o.partition, { current: Number(o.high), oldest: Number(o.low) }])));
      }),
    ),
    step("consumer groups", async () => {
      let groupIds: string[];
      try {
        groupIds = (await admin.listGroups()).groups.map((g) => g.groupId).sort();
      } catch (e) {
        snap.errors.push(`listGroups (read the ${knownGroups.length} groups listed before): ${(e as Error).message}`);
        groupIds = [...knownGroups];
      }
      for (const id of groupIds) snap.groups.set(id, {});
      if (!groupIds.length) return;
      await Promise.all([
        step("describeGroups", async () => {
          for (const g of (await admin.describeGroups(groupIds)).groups) {
            const state = snap.groups.get(g.groupId);
            if (state) state.members = g.members.length;
          }
        }),
        ...(topics.length
          ? groupIds.map((groupId) =>
              step(`fetchOffsets ${groupId}`, async () => {
                const committed = new Map<string, Map<number, number>>();
                for (const t of await admin.fetchOffsets({ groupId, topics })) {
                  committed.set(t.topic, new Map(t.partitions.map((p) => [p.partition, Number(p.offset)])));
                }
                snap.groups.get(groupId)!.committed = committed;
              }),
            )
          : []),
      ]);
    }),
  ]);
}

/** The snapshot as kafka_exporter's series, in a registry of their own (never prom-client's global one). */
export function snapshotRegistry(snap: LagSnapshot): Registry {
  const registry = new Registry();
  const gauge = <T extends string>(name: string, help: string, labelNames: readonly T[] = []) =>
    new Gauge<T>({ name, help, labelNames, registers: [registry] });
  const brokerInfo = gauge("kafka_broker_info", "One series per broker: its id and address.", ["id", "address"]);
  const topicPartitions = gauge("kafka_topic_partitions", "Partitions of the topic.", ["topic"]);
  const tp = ["topic", "partition"] as const;
  const current = gauge("kafka_topic_partition_current_offset", "End offset of the partition.", tp);
  const oldest = gauge("kafka_topic_partition_oldest_offset", "Oldest offset still in the partition.", tp);
  const leader = gauge("kafka_topic_partition_leader", "Broker id of the partition's leader.", tp);
  const replicas = gauge("kafka_topic_partition_replicas", "Replicas of the partition.", tp);
  const isr = gauge("kafka_topic_partition_in_sync_replica", "In-sync replicas of the partition.", tp);
  const preferred = gauge("kafka_topic_partition_leader_is_preferred", "1 if the partition's leader is its preferred replica.", tp);
  const under = gauge(
    "kafka_topic_partition_under_replicated_partition",
    "1 if the partition has fewer in-sync replicas than replicas.",
    tp,
  );
  const ctp = ["consumergroup", "topic", "partition"] as const;
  const groupOffset = gauge("kafka_consumergroup_current_offset", "Committed offset of the group on the partition (-1: none).", ctp);
  const groupOffsetSum = gauge(
    "kafka_consumergroup_current_offset_sum",
    "Committed offsets of the group, summed over the topic's partitions.",
    ["consumergroup", "topic"],
  );
  const lag = gauge("kafka_consumergroup_lag", "End offset minus the group's committed offset (-1: no commit on the partition).", ctp);
  const lagSum = gauge("kafka_consumergroup_lag_sum", "Lag of the group, summed over the topic's partitions that have a commit.", [
    "consumergroup",
    "topic",
  ]);
  const members = gauge("kafka_consumergroup_members", "Members of the consumer group.", ["consumergroup"]);
  const complete = gauge("lag_exporter_scrape_complete", "1 if every read of this scrape finished in time; 0: the answer is partial.");
  const errors = gauge("lag_exporter_scrape_errors", "Reads of this scrape that failed.");

  if (snap.brokers) {
    // Only when read: prom-client would print an unlabelled gauge that was never set as 0.
    gauge("kafka_brokers", "Brokers in the cluster's metadata.").set(snap.brokers.length);
    for (const b of snap.brokers) brokerInfo.set({ id: String(b.id), address: b.address }, 1);
  }
  for (const [topic, parts] of snap.topics) {
    topicPartitions.set({ topic }, parts.length);
    for (const p of parts) {
      const labels = { topic, partition: String(p.partition) };
      if (p.leader >= 0) leader.set(labels, p.leader);
      replicas.set(labels, p.replicas.length);
      isr.set(labels, p.isr.length);
      preferred.set(labels, p.leader >= 0 && p.replicas.length > 0 && p.replicas[0] === p.leader ? 1 : 0);
      under.set(labels, p.isr.length < p.replicas.length ? 1 : 0);
    }
  }
  for (const [topic, parts] of snap.offsets) {
    for (const [partition, o] of parts) {
      current.set({ topic, partition: String(partition) }, o.current);
      oldest.set({ topic, partition: String(partition) }, o.oldest);
    }
  }
  for (const [consumergroup, g] of snap.groups) {
    if (g.members !== undefined) members.set({ consumergroup }, g.members);
    for (const [topic, parts] of g.committed ?? []) {
      // A topic the group never committed on is not the group's topic.
      if (![...parts.values()].some((o) => o !== -1)) continue;
      let offsetSum = 0;
      let lagTotal = 0;
      for (const [partition, committed] of parts) {
        const labels = { consumergroup, topic, partition: String(partition) };
        groupOffset.set(labels, committed);
        offsetSum += committed;
        const end = snap.offsets.get(topic)?.get(partition);
        if (end === undefined) continue; // end offset not read: no lag, as kafka_exporter
        const l = committed === -1 ? -1 : end.current - committed;
        if (committed !== -1) lagTotal += l;
        lag.set(labels, l);
      }
      groupOffsetSum.set({ consumergroup, topic }, offsetSum);
      lagSum.set({ consumergroup, topic }, lagTotal);
    }
  }
  complete.set(snap.complete ? 1 : 0);
  errors.set(snap.errors.length);
  return registry;
}

export interface LagExporterOptions {
  /** Longest a scrape waits for the cluster before answering with what was read. @default 3000 */
  readonly timeoutMs?: number;
}

export class LagExporter {
  /** The last collection's snapshot (possibly still filling in). */
  lastSnapshot?: LagSnapshot;
  /** Groups of the last collection that could list them. */
  private knownGroups: readonly string[] = [];
  private inflight?: { readonly snap: LagSnapshot; readonly done: Promise<void> };
  private connecting?: Promise<void>;
  private closed = false;

  private constructor(
    readonly address: string,
    private readonly server: http.Server,
    private readonly admin: Admin,
    private readonly timeoutMs: number,
  ) {}

  /** Listens on 127.0.0.1:`port`; /metrics reads the cluster at `brokers` on each scrape. */
  static async start(brokers: readonly string[], port: number, opts: LagExporterOptions = {}): Promise<LagExporter> {
    const timeoutMs = opts.timeoutMs ?? 3000;
    const kafka = new Kafka({
      clientId: "local-lag-exporter",
      brokers: [...brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: Math.min(1000, timeoutMs),
      requestTimeout: Math.max(1000, timeoutMs),
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    const admin = kafka.admin();
    const server = http.createServer();
    const exporter = new LagExporter(`127.0.0.1:${port}`, server, admin, timeoutMs);
    server.on("request", (req, res) => void exporter.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    return exporter;
  }

  /** Reads the cluster (or joins the collection under way), waiting at most the time limit; never rejects. */
  async scrape(): Promise<LagSnapshot> {
    if (!this.inflight) {
      const snap = emptySnapshot();
      const done = (async () => {
        try {
          await this.connect();
          await collectInto(this.admin, snap, this.knownGroups);
          snap.complete = true;
          if (!snap.errors.some((e) => e.startsWith("listGroups"))) this.knownGroups = [...snap.groups.keys()];
        } catch (e) {
          snap.errors.push(`connect: ${(e as Error).message}`);
        }
      })();
      const inflight = { snap, done };
      this.inflight = inflight;
      this.lastSnapshot = snap;
      void done.finally(() => {
        if (this.inflight === inflight) this.inflight = undefined;
      });
    }
    const { snap, done } = this.inflight;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, this.timeoutMs)))]);
    clearTimeout(timer);
    return snap;
  }

  /** The exposition text of one scrape. */
  async metrics(): Promise<string> {
    // snapshotRegistry reads the snapshot at once, so a collection still filling it in cannot change the answer half-way.
    return snapshotRegistry(await this.scrape()).metrics();
  }

  private connect(): Promise<void> {
    if (!this.connecting) {
      this.connecting = this.admin.connect().catch((e) => {
        this.connecting = undefined;
        throw e;
      });
    }
    return this.connecting;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      if (req.method === "GET" && url.pathname === "/metrics") {
        const body = await this.metrics();
        res.writeHead(200, { "content-type": new Registry().contentType });
        res.end(body);
      } else if (req.method === "GET" && url.pathname === "/") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("local lag exporter (kafka_exporter stand-in): see /metrics\n");
      } else {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("not found\n");
      }
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(`${(e as Error).message}\n`);
    }
  }

  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
    // A collection under way would reconnect the admin client after the disconnect.
    if (this.inflight) await this.scrape();
    await this.admin.disconnect().catch(() => undefined);
  }
}
