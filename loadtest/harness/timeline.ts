/**
 * What a load run did second by second: events offered and acknowledged,
 * refusals, and the latency of accepted requests. Feeds the progress lines a
 * long run prints and the report's chart. Memory stays bounded: a closed
 * second keeps only its counts and two percentiles; the open second keeps its
 * raw latency samples; the run-wide "p99 so far" comes from a fixed-size
 * log-bucket histogram.
 */
import { percentile } from "./stats";

export interface TimelinePoint {
  /** Whole seconds since the timeline's start: this point covers [second, second + 1). */
  readonly second: number;
  /** Events the load generator offered in this second (by the time it offered them). */
  readonly offeredEvents: number;
  /** Events of requests answered 202 in this second (by the time the answer came). */
  readonly acknowledgedEvents: number;
  /** Requests answered 429 in this second. */
  readonly rejected429: number;
  /** Requests answered 503, any other non-202 status, or failed on the network, in this second. */
  readonly otherErrors: number;
  /** Nearest-rank percentiles of the latency of the 202s answered in this second; absent when there were none. */
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

interface Bucket {
  offered: number;
  acknowledged: number;
  rejected429: number;
  otherErrors: number;
  p50Ms?: number;
  p99Ms?: number;
}

/** Log-spaced latency buckets, 2% wide, from 0.01 ms to ~1.7 h: ~1 KiB of counters, about 2% error on a percentile. */
class LogHistogram {
  private static readonly GROWTH = 1.02;
  private static readonly MIN_MS = 0.01;
  private readonly counts = new Uint32Array(1200);
  private total = 0;

  add(ms: number): void {
    const i = ms <= LogHistogram.MIN_MS ? 0 : Math.ceil(Math.log(ms / LogHistogram.MIN_MS) / Math.log(LogHistogram.GROWTH));
    this.counts[Math.min(this.counts.length - 1, i)]++;
    this.total++;
  }

  /** The upper bound of the bucket holding the nearest-rank percentile p; NaN when empty. */
  percentile(p: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return LogHistogram.MIN_MS * LogHistogram.GROWTH ** i;
    }
    return NaN; // unreachable: the counts sum to total
  }
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");

export class Timeline {
  private readonly start: number;
  private readonly buckets: Bucket[] = [];
  /** The second whose raw latency samples are still open, and those samples. */
  private openSecond = 0;
  private openSamples: number[] = [];
  private readonly soFar = new LogHistogram();
  private offeredTotal = 0;
  private acknowledgedTotal = 0;
  private rejected429Total = 0;
  private otherErrorsTotal = 0;

  /**
   * @param startMs the run's start on `clock`'s scale (default: now)
   * @param clock milliseconds, monotonic; tests pass a fake one
   */
  constructor(
    startMs?: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.start = startMs ?? clock();
  }

  offered(events: number): void {
    this.bucket().offered += events;
    this.offeredTotal += events;
  }

  /** A 202: `events` acknowledged by Kafka, `latencyMs` from request to response. */
  accepted(events: number, latencyMs: number): void {
    const b = this.bucket();
    b.acknowledged += events;
    this.openSamples.push(latencyMs);
    this.soFar.add(latencyMs);
    this.acknowledgedTotal += events;
  }

  /**
   * A request not accepted: "429" counts as rejected429; "503", "error" (network)
   * and any other status as otherErrors. The latency is not charted: the
   * percentiles are of accepted requests, as the reports' ingest latency is.
   */
  refused(status: string, _latencyMs: number): void {
    const b = this.bucket();
    if (status === "429") {
      b.rejected429++;
      this.rejected429Total++;
    } else {
      b.otherErrors++;
      this.otherErrorsTotal++;
    }
  }

  /** One point per whole second from the start to now (the current, partial second only if something happened in it). */
  points(): TimelinePoint[] {
    const now = this.second();
    this.close(now);
    const out: TimelinePoint[] = [];
    const last = this.buckets[now] ? now : now - 1;
    for (let s = 0; s <= last; s++) {
      const b = this.buckets[s];
      if (!b) {
        out.push({ second: s, offeredEvents: 0, acknowledgedEvents: 0, rejected429: 0, otherErrors: 0 });
        continue;
      }
      const open = s === this.openSecond && this.openSamples.length > 0;
      const sorted = open ? [...this.openSamples].sort((x, y) => x - y) : undefined;
      out.push({
        second: s,
        offeredEvents: b.offered,
        acknowledgedEvents: b.acknowledged,
        rejected429: b.rejected429,
        otherErrors: b.otherErrors,
        ...(sorted
          ? { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) }
          : b.p50Ms !== undefined
            ? { p50Ms: b.p50Ms, p99Ms: b.p99Ms }
            : {}),
      });
    }
    return out;
  }

  /** e.g. "[  30 s] sent 104,000 events, acknowledged 103,900, 3,470 ev/s now, p99 so far 231 ms, 429s 0" */
  progressLine(): string {
    const now = this.second();
    this.close(now);
    // "Now": acknowledged events per second over the last (up to) 5 whole seconds; one second alone jumps with each batch.
    const from = Math.max(0, now - 5);
    let recent = 0;
    for (let s = from; s < now; s++) recent += this.buckets[s]?.acknowledged ?? 0;
    const rate = now > from ? recent / (now - from) : 0;
    const p99 = this.soFar.percentile(99);
    const elapsed = Math.floor((this.clock() - this.start) / 1000);
    return (
      `[${String(elapsed).padStart(4)} s] sent ${int(this.offeredTotal)} events, acknowledged ${int(this.acknowledgedTotal)}, ` +
      `${int(rate)} ev/s now, p99 so far ${Number.isNaN(p99) ? "n/a" : `${int(p99)} ms`}, 429s ${int(this.rejected429Total)}` +
      (this.otherErrorsTotal > 0 ? `, other errors ${int(this.otherErrorsTotal)}` : "")
    );
  }

  /** Prints a progress line every `everyMs` until the returned stop() is called; the timer does not keep the process alive. */
  startProgress(print: (line: string) => void, everyMs = 10_000): () => void {
    const timer = setInterval(() => print(this.progressLine()), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private second(): number {
    return Math.max(0, Math.floor((this.clock() - this.start) / 1000));
  }

  private bucket(): Bucket {
    const s = this.second();
    this.close(s);
    return (this.buckets[s] ??= { offered: 0, acknowledged: 0, rejected429: 0, otherErrors: 0 });
  }

  /** Reduces the open second's samples to its percentiles once time has moved past it. */
  private close(now: number): void {
    if (now === this.openSecond) return;
    if (this.openSamples.length > 0) {
      const sorted = this.openSamples.sort((x, y) => x - y);
      const b = this.buckets[this.openSecond]!;
      b.p50Ms = percentile(sorted, 50);
      b.p99Ms = percentile(sorted, 99);
    }
    this.openSamples = [];
    this.openSecond = now;
  }
}
