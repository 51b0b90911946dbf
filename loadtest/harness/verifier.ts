import { Consumer, Kafka, logLevel } from "kafkajs";
import { registerLz4Codec } from "../../services/ingest-gateway/src/lz4";

/**
 * Reads every event topic in a consumer group and keeps, per event id, how
 * often it arrived, plus end-to-end latency from the event's own timestamp
 * (its send time) to its arrival here.
 */
export class Verifier {
  readonly deliveries = new Map<string, number>();
  readonly endToEndMs: number[] = [];
  private consumer: Consumer;
  private lastMessageAt = 0;

  constructor(brokers: readonly string[], private readonly topics: readonly string[], groupId: string) {
    registerLz4Codec();
    const kafka = new Kafka({ clientId: "verifier", brokers: [...brokers], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 2000 } });
    this.consumer = kafka.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 3000, maxWaitTimeInMs: 100, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 2000 } });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.topics], fromBeginning: true });
    await this.consumer.run({
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        for (const m of batch.messages) {
          const id = m.headers?.["event-id"]?.toString();
          if (!id) continue;
          this.deliveries.set(id, (this.deliveries.get(id) ?? 0) + 1);
          const ts = (JSON.parse(m.value!.toString()) as { timestamp: number }).timestamp;
          this.endToEndMs.push(now - ts);
        }
        this.lastMessageAt = now;
      },
    });
  }

  /** Waits until every id in `expected` has arrived, or `idleMs` pass with nothing new, or `timeoutMs`. */
  async waitFor(expected: Iterable<string>, timeoutMs: number, idleMs = 10_000): Promise<void> {
    const ids = [...expected];
    const deadline = Date.now() + timeoutMs;
    let lastProgress = Date.now();
    let missing = ids.length;
    while (Date.now() < deadline) {
      const nowMissing = ids.reduce((n, id) => n + (this.deliveries.has(id) ? 0 : 1), 0);
      if (nowMissing === 0) return;
      if (nowMissing < missing || this.lastMessageAt > lastProgress) lastProgress = Date.now();
      missing = nowMissing;
      if (Date.now() - lastProgress > idleMs) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
