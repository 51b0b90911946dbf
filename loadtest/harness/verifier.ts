import { ISocketFactory, Kafka, logLevel } from "kafkajs";
import * as net from "net";
import { kitConsumerConfig } from "../../domain/kafka-consumer-settings";
import { registerCodecs } from "../../services/ingest-gateway/src/codecs";
import { noDelaySocketFactory } from "../../services/ingest-gateway/src/socket";
import { BehindSpans } from "./recovery";

const TIMESTAMP_KEY = Buffer.from('"timestamp":');

/**
 * The stored event's `timestamp` (epoch ms, as the gateway writes it), read
 * from the bytes without parsing the whole ~1 KB value: at 10K events/s the
 * full JSON.parse made the verifier itself the bottleneck of the latency it measures.
 */
export function timestampOf(value: Buffer): number {
  const at = value.indexOf(TIMESTAMP_KEY);
  if (at < 0) return NaN;
  let n = 0;
  for (let i = at + TIMESTAMP_KEY.length; i < value.length; i++) {
    const c = value[i];
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return n;
}

/**
 * Reads every event topic in its own consumer group and records where each
 * event id was found (topic/partition/offset), plus end-to-end latency from
 * the event's own timestamp (its send time) to its arrival here.
 *
 * An id at two different offsets is a duplicate in the log (a producer wrote
 * it twice); the same offset read twice is a consumer re-read and not counted.
 */
export class Verifier {
  /** Event id -> first log position it was found at. */
  private readonly firstSeen = new Map<string, string>();
  /** Event id -> further distinct positions (only for duplicated ids). */
  private readonly extraSeen = new Map<string, Set<string>>();
  readonly endToEndMs: number[] = [];
  /** When each non-empty batch was read (epoch ms): where the consumer paused, and for how long. */
  readonly readTimes: number[] = [];
  /** When the group was more than a few seconds behind (its oldest unread event older than that): consumer recovery. */
  readonly behind = new BehindSpans();
  private readonly consumer;
  private readonly kafka: Kafka;
  /** "topic/partition" -> the offset after the last record read there. */
  private readonly nextOffsets = new Map<string, bigint>();
  private lastReadAt = Date.now();
  /** Open sockets, so a stop that gave up can cut them; after that, new ones are cut at once. */
  private readonly sockets = new Set<net.Socket>();
  private cut = false;

  constructor(
    brokers: readonly string[],
    private readonly topics: readonly string[],
    groupId: string,
  ) {
    registerCodecs();
    const kafka = (this.kafka = new Kafka({
      clientId: "verifier",
      brokers: [...brokers],
      socketFactory: this.trackedSockets(noDelaySocketFactory()),
      logLevel: logLevel.NOTHING,
    }));
    // The kit's consumer settings (issue 11: they bound how long a broker failure stalls the group).
    this.consumer = kafka.consumer(kitConsumerConfig(groupId));
  }

  /** Ids found at least once. */
  get deliveries(): ReadonlyMap<string, string> {
    return this.firstSeen;
  }

  /** Extra copies in the log: for each id, distinct positions beyond the first. */
  duplicates(): number {
    let n = 0;
    for (const p of this.extraSeen.values()) n += p.size;
    return n;
  }

  /** Event id -> how many extra copies (distinct positions beyond the first) the log holds. */
  duplicateCopies(): Map<string, number> {
    return new Map([...this.extraSeen].map(([id, positions]) => [id, positions.size]));
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.topics], fromBeginning: true });
    await this.consumer.run({
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        if (batch.messages.length) {
          this.lastReadAt = now;
          this.readTimes.push(now);
        }
        let oldestSentAt = Infinity;
        const last = batch.messages.at(-1);
        if (last) {
          const key = `${batch.topic}/${batch.partition}`;
          const next = BigInt(last.offset) + 1n;
          if (next > (this.nextOffsets.get(key) ?? 0n)) this.nextOffsets.set(key, next);
        }
        for (const m of batch.messages) {
          const id = m.headers?.["event-id"]?.toString();
          if (!id) continue;
          const where = `${batch.topic}/${batch.partition}/${m.offset}`;
          const first = this.firstSeen.get(id);
          if (first === undefined) {
            this.firstSeen.set(id, where);
            const sentAt = timestampOf(m.value!);
            if (sentAt < oldestSentAt) oldestSentAt = sentAt;
            this.endToEndMs.push(now - sentAt);
          } else if (first !== where) {
            const extra = this.extraSeen.get(id) ?? new Set<string>();
            extra.add(where);
            this.extraSeen.set(id, extra);
          }
        }
        if (oldestSentAt !== Infinity) this.behind.record(oldestSentAt, now);
      },
    });
  }

  /** Waits until every id in `expected` has been read, nothing was read for `idleMs`, or `timeoutMs` passed. */
  async waitFor(expected: Iterable<string>, timeoutMs: number, idleMs = 20_000): Promise<void> {
    const missing = new Set([...expected].filter((id) => !this.firstSeen.has(id)));
    const deadline = Date.now() + timeoutMs;
    this.lastReadAt = Math.max(this.lastReadAt, Date.now());
    while (missing.size > 0 && Date.now() < deadline && Date.now() - this.lastReadAt < idleMs) {
      await new Promise((r) => setTimeout(r, 250));
      for (const id of missing) if (this.firstSeen.has(id)) missing.delete(id);
    }
  }

  /**
   * Every partition's end offset (high watermark) now: what a consumer that
   * reads each partition up to it has read in full. Taken after the load
   * ended, it bounds every acknowledged event (acks=all writes land below it).
   */
  async endOffsets(): Promise<PartitionEnds> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const ends = new Map<string, { readonly start: bigint; readonly end: bigint }>();
      for (const topic of this.topics) {
        for (const p of await admin.fetchTopicOffsets(topic))
          ends.set(`${topic}/${p.partition}`, { start: BigInt(p.low), end: BigInt(p.high) });
      }
      return ends;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /**
   * Waits until every partition in `ends` has been read up to its end offset,
   * or `timeoutMs` passed. No idle rule: a consumer that pauses (a rebalance,
   * a restart after a crash) is waited for, and a run that times out says
   * which partitions were not read to the end, so an incomplete read is never
   * taken for a loss.
   */
  async readToEnd(ends: PartitionEnds, timeoutMs: number): Promise<AuditCompleteness> {
    const started = Date.now();
    let c = completeness(ends, this.nextOffsets, 0);
    while (!c.complete && Date.now() - started < timeoutMs) {
      await new Promise((r) => setTimeout(r, 250));
      c = completeness(ends, this.nextOffsets, 0);
    }
    return { ...c, seconds: (Date.now() - started) / 1000 };
  }

  private trackedSockets(base: ISocketFactory): ISocketFactory {
    return (args) => {
      const socket = base(args);
      if (this.cut) setImmediate(() => socket.destroy(new Error("verifier stopped")));
      else {
        this.sockets.add(socket);
        socket.once("close", () => this.sockets.delete(socket));
      }
      return socket;
    };
  }

  /**
   * Leaves the group, but gives up after `timeoutMs`: a kafkajs consumer that
   * stalled after a failover can keep its disconnect waiting on a coordinator
   * that never answers, and the run's verdict must not wait on it. Giving up
   * cuts the consumer's connections (and any it opens later), so kafkajs's
   * attempts to leave fail fast and end here, instead of running on after the
   * caller moved on (in Jest, that failed a run after every test had passed).
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    const disconnect = this.consumer.disconnect().catch(() => undefined);
    if (await settlesWithin(disconnect, timeoutMs)) return;
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
    await settlesWithin(disconnect, 60_000);
  }
}

/** "topic/partition" -> its first and end offset. */
export type PartitionEnds = ReadonlyMap<string, { readonly start: bigint; readonly end: bigint }>;

/** Whether an audit read every partition to the end offset taken when it began. */
export interface AuditCompleteness {
  readonly complete: boolean;
  readonly partitions: number;
  /** Partitions ("topic/partition") not read up to their end offset when the audit stopped waiting. */
  readonly notReadToEnd: readonly { readonly partition: string; readonly readTo: number; readonly end: number }[];
  readonly seconds: number;
  /** Offsets read across the partitions (records, including any duplicates). */
  readonly recordsRead: number;
}

/** How far `nextOffsets` ("topic/partition" -> offset after the last record read) got towards `ends`. */
export function completeness(ends: PartitionEnds, nextOffsets: ReadonlyMap<string, bigint>, seconds: number): AuditCompleteness {
  const notReadToEnd: { partition: string; readTo: number; end: number }[] = [];
  let recordsRead = 0;
  for (const [partition, { start, end }] of ends) {
    const readTo = nextOffsets.get(partition) ?? start;
    recordsRead += Number(readTo - start);
    if (readTo < end) notReadToEnd.push({ partition, readTo: Number(readTo), end: Number(end) });
  }
  return { complete: notReadToEnd.length === 0, partitions: ends.size, notReadToEnd, seconds, recordsRead };
}

async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The longest stretch in [from, to] (epoch ms) with no read, and where it began; reads need not be sorted. */
export function longestReadGap(readTimes: readonly number[], from: number, to: number): { readonly ms: number; readonly startMs: number } {
  const inside = readTimes.filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  const points = [from, ...inside, to];
  let best = { ms: 0, startMs: from };
  for (let i = 1; i < points.length; i++)
    if (points[i] - points[i - 1] > best.ms) best = { ms: points[i] - points[i - 1], startMs: points[i - 1] };
  return best;
}
