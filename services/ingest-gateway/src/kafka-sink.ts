import * as fs from "fs";
import { Admin, CompressionTypes, Kafka, logLevel, LogEntry, Partitioners, Producer } from "kafkajs";
import { GatewayConfig } from "./config";
import { registerLz4Codec } from "./lz4";
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
 * The kafkajs producer behind the gateway: acks=all, LZ4, key = user id,
 * retries with backoff, and a linger window that coalesces concurrent requests
 * into one produce call (kafkajs has no linger of its own).
 */
export class KafkaEventSink implements EventSink {
  private producer: Producer;
  private waiting: Waiting[] = [];
  private waitingMessages = 0;
  private lingerTimer?: NodeJS.Timeout;
  private admin: Admin;
  private isReady = false;
  private closed = false;
  private probeTimer?: NodeJS.Timeout;

  constructor(private readonly cfg: GatewayConfig, private readonly metrics: GatewayMetrics, private readonly probeTopic: string, private readonly log: (level: string, msg: string, extra?: object) => void) {
    registerLz4Codec();
    const kafka = new Kafka({
      clientId: cfg.clientId,
      brokers: [...cfg.brokers],
      ssl: cfg.tls ? { ca: cfg.tls.caFile ? [fs.readFileSync(cfg.tls.caFile, "utf8")] : undefined, rejectUnauthorized: true } : undefined,
      sasl: cfg.sasl ? { mechanism: "scram-sha-512", username: cfg.sasl.username, password: cfg.sasl.password } : undefined,
      connectionTimeout: 3000,
      requestTimeout: 10000,
      // Exponential backoff: 100 ms doubling to 2 s, 8 retries (~10 s) unless idempotent (which retries until the produce timeout).
      retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 8, factor: 0.2, multiplier: 2 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => this.onClientLog(entry),
    });
    const idempotent = cfg.idempotence === "on";
    this.producer = kafka.producer({
      idempotent,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      ...(idempotent ? { maxInFlightRequests: 5 } : { retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 8, factor: 0.2, multiplier: 2 } }),
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
      this.waiting.push({ batches, resolve, reject });
      this.waitingMessages += batches.reduce((n, b) => n + b.messages.length, 0);
      if (this.cfg.lingerMs === 0 || this.waitingMessages >= this.cfg.lingerMaxMessages) this.flush();
      else if (!this.lingerTimer) this.lingerTimer = setTimeout(() => this.flush(), this.cfg.lingerMs);
    });
  }

  private flush(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    const group = this.waiting;
    this.waiting = [];
    this.waitingMessages = 0;
    if (group.length === 0) return;
    this.produce(mergeByTopic(group)).then(
      () => group.forEach((w) => w.resolve()),
      (e: Error) => group.forEach((w) => w.reject(e)),
    );
  }

  private async produce(batches: readonly TopicBatch[]): Promise<void> {
    const timeout = new Promise<never>((_, reject) => {
      const t = setTimeout(() => reject(new Error(`produce not acknowledged within ${this.cfg.produceTimeoutMs} ms`)), this.cfg.produceTimeoutMs);
      t.unref();
    });
    try {
      await Promise.race([
        this.producer.sendBatch({
          acks: -1,
          compression: CompressionTypes.LZ4,
          timeout: 10000,
          topicMessages: batches.map((b) => ({ topic: b.topic, messages: b.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) })),
        }),
        timeout,
      ]);
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
    this.probeTimer = setTimeout(async () => {
      try {
        await this.admin.fetchTopicMetadata({ topics: [this.probeTopic] });
        if (!this.isReady) await this.producer.connect();
        this.setReady(true, "metadata probe succeeded");
      } catch (e) {
        this.setReady(false, `metadata probe failed: ${(e as Error).message}`);
      }
      this.schedulePing();
    }, this.isReady ? 2000 : 500);
    this.probeTimer.unref();
  }
}
