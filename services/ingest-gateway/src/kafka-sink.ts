import * as fs from "fs";
// Before kafkajs: kafkajs must load the pooled encoder, not its own (see the module).
import { installPooledEncoder, PooledEncoderStatus } from "./kafkajs-pooled-encoder";
import { Admin, Kafka, logLevel, LogEntry, PartitionMetadata, Partitioners, Producer } from "kafkajs";
import { GatewayConfig } from "./config";
import { groupByCodec, registerCodecs } from "./codecs";
import { noDelaySocketFactory } from "./socket";
import { GatewayMetrics } from "./metrics";

export interface OutgoingMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

export interface TopicBatch {
  readonly topic: string;
  readonly messages: readonly OutgoingMessage[];
}

/** Where accepted events go. `send` resolves only once every message is acknowledged. */
export interface EventSink {
  /** False while Kafka cannot be reached; the gateway then answers 503 and /readyz fails. */
  readonly ready: boolean;
  start(): Promise<void>;
  send(batches: readonly TopicBatch[]): Promise<void>;
  close(): Promise<void>;
}

/** Exponential backoff: 100 ms doubling to 2 s, 8 retries (about 10 s in all). */
const RETRY = { initialRetryTime: 100, maxRetryTime: 2000, retries: 8, factor: 0.2, multiplier: 2 };

interface Waiting {
  readonly batches: readonly TopicBatch[];
  resolve(): void;
  reject(e: Error): void;
}

/** One produce call's worth of messages per topic, from several requests. */
function mergeByTopic(waiting: readonly Waiting[]): TopicBatch[] {
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const w of waiting) {
    for (const b of w.batches) {
      const list = byTopic.get(b.topic);
      if (list) list.push(...b.messages);
      else byTopic.set(b.topic, [...b.messages]);
    }
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/**
 * The kafkajs producer behind the gateway: acks=all, each topic's catalog codec (zstd or LZ4), key = user id,
 * retries with backoff, and a linger window that coalesces concurrent requests
 * into one produce call (kafkajs has no linger of its own).
 */
export class KafkaEventSink implements EventSink {
  /** Whether kafkajs encodes with the pooled encoder in this process ("installed") or its own, and why. */
  readonly encoder: PooledEncoderStatus = installPooledEncoder();
  private producer: Producer;
  private waiting: Waiting[] = [];
  private waitingMessages = 0;
  private lingerTimer?: NodeJS.Timeout;
  /**
   * Produce calls in flight. With idempotence on they are serialized: kafkajs 2.2.4 assigns each partition's sequence numbers when it builds
   * a request and rolls them back when that request fails; with two produce
   * calls in flight to one partition, a failure rolls back numbers the other
   * call already used, and the resent batch is written again under new numbers
   * (the broker-kill drill on real brokers: 7,178 duplicates with concurrent
   * calls). One call at a time, and each resend carries the numbers of the
   * attempt it repeats, so the broker discards a copy it already has.
   */
  private callsInFlight = 0;
  /**
   * Produce calls in flight at most: 1 with idempotence (above), otherwise
   * kafkajs's own in-flight bound per connection, so a slow Kafka makes
   * requests wait here, coalesced, instead of piling up calls.
   */
  private readonly maxCallsInFlight: number;
  private admin: Admin;
  private isReady = false;
  private closed = false;
  private probeTimer?: NodeJS.Timeout;
  /** Partition metadata per topic, refreshed by the probe and after failures. */
  private readonly partitionsOf = new Map<string, PartitionMetadata[]>();
  /** kafkajs's default (Java-compatible murmur2) partitioner, applied by us so we know where each message goes. */
  private readonly partitioner = Partitioners.DefaultPartitioner();

  constructor(
    private readonly cfg: GatewayConfig,
    private readonly metrics: GatewayMetrics,
    private readonly topics: readonly string[],
    private readonly log: (level: string, msg: string, extra?: object) => void,
  ) {
    registerCodecs();
    const kafka = new Kafka({
      clientId: cfg.clientId,
      brokers: [...cfg.brokers],
      ssl: cfg.tls ? { ca: cfg.tls.caFile ? [fs.readFileSync(cfg.tls.caFile, "utf8")] : undefined, rejectUnauthorized: true } : undefined,
      sasl: cfg.sasl ? { mechanism: "scram-sha-512", username: cfg.sasl.username, password: cfg.sasl.password } : undefined,
      socketFactory: noDelaySocketFactory(),
      connectionTimeout: 3000,
      requestTimeout: 10000,
      retry: RETRY,
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => this.onClientLog(entry),
    });
    const idempotent = cfg.idempotence === "on";
    this.maxCallsInFlight = idempotent ? 1 : 5;
    this.producer = kafka.producer({
      idempotent,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // kafkajs's idempotent producer retries without limit by default (bounded here by PRODUCE_TIMEOUT_MS).
      ...(idempotent ? { maxInFlightRequests: 5 } : { retry: RETRY }),
    });
    this.admin = kafka.admin();
    this.producer.on(this.producer.events.DISCONNECT, () => this.setReady(false, "producer disconnected"));
  }

  get ready(): boolean {
    return this.isReady && !this.closed;
  }

  /** Connects, retrying in the background until Kafka answers; resolves on the first success. */
  async start(): Promise<void> {
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        await this.admin.connect();
        await this.refreshMetadata();
        await this.producer.connect();
        this.setReady(true, "connected");
        this.schedulePing();
        return;
      } catch (e) {
        this.log("warn", "kafka connect failed, retrying", { attempt, error: (e as Error).message });
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * attempt)));
      }
    }
  }

  /** Resolves when Kafka acknowledged these messages (possibly together with other requests'). */
  send(batches: readonly TopicBatch[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const messages = batches.reduce((n, b) => n + b.messages.length, 0);
      // A request waiting behind a produce call that is in flight (serialized) gets no time of its own from that
      // call: it answers 503 after PRODUCE_TIMEOUT_MS from its arrival, and is dropped unsent if still waiting.
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) {
          this.waiting.splice(i, 1);
          this.waitingMessages -= messages;
        }
        reject(new Error(`produce not acknowledged within ${this.cfg.produceTimeoutMs} ms (waited for an earlier produce call)`));
      }, this.cfg.produceTimeoutMs);
      timer.unref();
      const entry: Waiting = {
        batches,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiting.push(entry);
      this.waitingMessages += messages;
      if (this.cfg.lingerMs === 0 || this.waitingMessages >= this.cfg.lingerMaxMessages) this.flush();
      else if (!this.lingerTimer) this.lingerTimer = setTimeout(() => this.flush(), this.cfg.lingerMs);
    });
  }

  private flush(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    // At the bound: what arrives meanwhile waits and goes in the next call, coalesced.
    if (this.callsInFlight >= this.maxCallsInFlight) return;
    const group = this.waiting;
    this.waiting = [];
    this.waitingMessages = 0;
    if (group.length === 0) return;
    this.callsInFlight++;
    const call = this.produce(mergeByTopic(group), (settled) => {
      // The next call starts when kafkajs has finished with this one, not when its caller gave up waiting.
      void settled.finally(() => {
        this.callsInFlight--;
        if (this.waiting.length) this.flush();
      });
    });
    call.then(
      () => group.forEach((w) => w.resolve()),
      (e: Error) => group.forEach((w) => w.reject(e)),
    );
  }

  /**
   * One produce call, checked. kafkajs 2.2.4 keeps each broker's response
   * across its internal retries: when a broker dies and its partitions move
   * to brokers that already answered in the failed attempt, the retry skips
   * those brokers and `sendBatch` resolves without ever writing the moved
   * partitions (found by the failover drill: acknowledged events missing
   * from the log). So partitions are assigned here, every partition written
   * must appear in the result, and the messages of any that do not are sent
   * again. That may duplicate (at-least-once), never lose.
   */
  private async produce(batches: readonly TopicBatch[], started: (settled: Promise<unknown>) => void = () => undefined): Promise<void> {
    const deadline = Date.now() + this.cfg.produceTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`produce not acknowledged within ${this.cfg.produceTimeoutMs} ms`)),
        this.cfg.produceTimeoutMs,
      );
      timer.unref();
    });
    try {
      // Cleared when the produce settles, so flushes do not leave a live timer each.
      const checked = this.produceChecked(batches, deadline);
      started(checked.catch(() => undefined));
      await Promise.race([checked, timeout]).finally(() => clearTimeout(timer));
      if (!this.isReady) this.setReady(true, "produce succeeded");
    } catch (e) {
      const err = e as Error;
      this.metrics.producerErrors.inc({ type: err.name || "Error" });
      // A connection-level failure means Kafka is unreachable from here: stop taking traffic until a probe succeeds.
      if (/Connection|NumberOfRetriesExceeded|not acknowledged|ECONNREFUSED|disconnected/i.test(`${err.name} ${err.message}`)) {
        this.setReady(false, err.message);
      }
      throw err;
    }
  }

  private async produceChecked(batches: readonly TopicBatch[], deadline: number): Promise<void> {
    let pending = await Promise.all(
      batches.map(async (b) => {
        const partitionMetadata = await this.metadataFor(b.topic);
        return {
          topic: b.topic,
          messages: b.messages.map((m) => ({
            key: m.key,
            value: m.value,
            headers: m.headers,
            partition: this.partitioner({ topic: b.topic, partitionMetadata, message: m }),
          })),
        };
      }),
    );
    for (let attempt = 1; ; attempt++) {
      // One produce call per codec (a kafkajs sendBatch takes one): each topic gets its catalog codec,
      // which is its compression.type, so the brokers store the batches as they come.
      const written = (
        await Promise.all(
          [...groupByCodec(pending)].map(([compression, topicMessages]) =>
            this.producer.sendBatch({ acks: -1, compression, timeout: 10000, topicMessages }),
          ),
        )
      ).flat();
      const acked = new Set(written.filter((r) => r.errorCode === 0).map((r) => `${r.topicName}/${r.partition}`));
      const missing = pending
        .map((b) => ({ topic: b.topic, messages: b.messages.filter((m) => !acked.has(`${b.topic}/${m.partition}`)) }))
        .filter((b) => b.messages.length > 0);
      if (missing.length === 0) return;
      const partitions = new Set(missing.flatMap((b) => b.messages.map((m) => `${b.topic}/${m.partition}`)));
      this.metrics.unacknowledgedPartitions.inc(partitions.size);
      this.log("warn", "kafka client resolved a produce without acknowledging every partition; sending those again", {
        attempt,
        partitions: [...partitions],
      });
      if (Date.now() > deadline || attempt >= 10)
        throw new Error(`partitions ${[...partitions].join(", ")} not acknowledged after ${attempt} attempts`);
      pending = missing;
    }
  }

  private async metadataFor(topic: string): Promise<PartitionMetadata[]> {
    if (!this.partitionsOf.get(topic)?.length) await this.refreshMetadata();
    const meta = this.partitionsOf.get(topic);
    if (!meta?.length) throw new Error(`no partition metadata for topic ${topic}`);
    return meta;
  }

  private async refreshMetadata(): Promise<void> {
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [...this.topics] });
    for (const t of topics) this.partitionsOf.set(t.name, t.partitions);
  }

  async close(): Promise<void> {
    this.flush();
    this.closed = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  private onClientLog(entry: LogEntry): void {
    const extra = entry.log as unknown as Record<string, unknown>;
    if (entry.namespace === "Producer" && typeof extra.retryCount === "number") this.metrics.producerRetries.inc();
    this.log(entry.level <= logLevel.ERROR ? "error" : "warn", `kafkajs ${entry.namespace}: ${entry.log.message}`);
  }

  private setReady(ready: boolean, why: string): void {
    if (ready === this.isReady) return;
    this.isReady = ready;
    this.metrics.kafkaReady.set(ready ? 1 : 0);
    this.log(ready ? "info" : "warn", `kafka ${ready ? "ready" : "not ready"}: ${why}`);
  }

  /** Metadata round trip every 2 s (every 500 ms while unready): flips readiness both ways. */
  private schedulePing(): void {
    if (this.closed) return;
    this.probeTimer = setTimeout(
      async () => {
        try {
          await this.refreshMetadata();
          if (!this.isReady) await this.producer.connect();
          this.setReady(true, "metadata probe succeeded");
        } catch (e) {
          this.setReady(false, `metadata probe failed: ${(e as Error).message}`);
        }
        this.schedulePing();
      },
      this.isReady ? 2000 : 500,
    );
    this.probeTimer.unref();
  }
}
