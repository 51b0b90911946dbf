/**
 * Admission control: which requests the gateway takes on, decided when their
 * headers arrive, before a byte of the body is read.
 *
 * Two bounds, checked together:
 * - an adaptive concurrency limit on requests being served, which keeps the
 *   latency of accepted requests near a target. It is the gradient idea of
 *   Netflix's concurrency-limits (Gradient2) with the latency objective as the
 *   reference instead of a measured minimum RTT: Envoy's adaptive concurrency
 *   filter measures its minimum by periodically cutting concurrency to a few
 *   requests, which on a gateway that is CPU-bound costs goodput every time,
 *   and Gradient2's long-term average drifts up under sustained overload. Our
 *   objective is absolute (p99 of accepted requests), so the reference is too.
 * - a byte budget on bodies being read or waiting for Kafka, sized from the
 *   container's memory (domain/ingest-gateway-sizing.ts), so a flood of large
 *   bodies cannot grow the heap past the limit whatever the latency does.
 *
 * Refusing is cheap (a 429 with Retry-After and no body read), and the limit
 * never sheds while there is spare capacity: it only shrinks when accepted
 * requests get slower than the target.
 */

export interface AdaptiveLimitOptions {
  /** Requests served at once at start-up. */
  readonly initialLimit: number;
  /** Never fewer: keeps probing when Kafka is slow. */
  readonly minLimit: number;
  /** Never more (MAX_INFLIGHT_REQUESTS). */
  readonly maxLimit: number;
  /** The window's 90th percentile of accepted requests' latency is held at or under this, ms. */
  readonly latencyTargetMs: number;
  /** Length of a sample window, ms; the limit moves at most once a window. */
  readonly windowMs: number;
  /** Samples a window needs before it moves the limit (a longer window is waited for). */
  readonly minSamples: number;
}

export const DEFAULT_ADAPTIVE_LIMIT: Omit<AdaptiveLimitOptions, "maxLimit" | "latencyTargetMs"> = {
  initialLimit: 16,
  minLimit: 2,
  windowMs: 250,
  minSamples: 8,
};

export interface LimitChange {
  readonly at: number;
  readonly from: number;
  readonly to: number;
  readonly p90Ms: number;
  readonly samples: number;
}

/**
 * Concurrency limit that adapts once a window from the latency of the
 * requests that completed in it:
 * - p90 over the target: multiply the limit by target / p90 (at least 0.5),
 *   so a large overshoot cuts hard and a small one gently;
 * - p90 at or under the target and the limit was reached in the window: add
 *   sqrt(limit) (room to find more capacity, faster from small limits);
 * - otherwise (the gateway was not using its limit) leave it: an idle
 *   gateway must not talk itself into a limit it never tested.
 */
export class AdaptiveConcurrencyLimit {
  private current: number;
  private inflight = 0;
  private windowStart: number;
  private samples: number[] = [];
  private peakInflight = 0;
  private lastChange?: LimitChange;

  constructor(
    private readonly opts: AdaptiveLimitOptions,
    now: number = performance.now(),
  ) {
    const problems: string[] = [];
    if (!(opts.minLimit >= 1)) problems.push(`minLimit ${opts.minLimit} must be at least 1`);
    if (!(opts.maxLimit >= opts.minLimit)) problems.push(`maxLimit ${opts.maxLimit} must be at least minLimit ${opts.minLimit}`);
    if (!(opts.latencyTargetMs > 0)) problems.push(`latencyTargetMs ${opts.latencyTargetMs} must be positive`);
    if (!(opts.windowMs > 0)) problems.push(`windowMs ${opts.windowMs} must be positive`);
    if (problems.length) throw new Error(`adaptive concurrency limit: ${problems.join("; ")}`);
    this.current = Math.min(opts.maxLimit, Math.max(opts.minLimit, opts.initialLimit));
    this.windowStart = now;
  }

  /** Requests that may be served at once now. */
  get limit(): number {
    return Math.floor(this.current);
  }

  get inFlight(): number {
    return this.inflight;
  }

  /** The last time the limit moved, for logs and metrics. */
  get lastMove(): LimitChange | undefined {
    return this.lastChange;
  }

  /** Takes a slot if one is free. */
  tryAcquire(): boolean {
    if (this.inflight >= this.limit) return false;
    this.inflight++;
    this.peakInflight = Math.max(this.peakInflight, this.inflight);
    return true;
  }

  /**
   * Gives the slot back. `latencyMs` is the request's service time when it
   * says something about capacity (served or failed by Kafka), undefined when
   * it does not (the client sent a bad body).
   */
  release(latencyMs: number | undefined, now: number = performance.now()): void {
    this.inflight = Math.max(0, this.inflight - 1);
    if (latencyMs !== undefined) this.samples.push(latencyMs);
    const elapsed = now - this.windowStart;
    // A window with too few samples is extended (up to 4x) rather than judged on noise.
    if (elapsed < this.opts.windowMs || (this.samples.length < this.opts.minSamples && elapsed < 4 * this.opts.windowMs)) return;
    this.endWindow(now);
  }

  private endWindow(now: number): void {
    const samples = this.samples;
    const reachedLimit = this.peakInflight >= this.limit;
    this.samples = [];
    this.peakInflight = this.inflight;
    this.windowStart = now;
    if (samples.length === 0) return;
    samples.sort((a, b) => a - b);
    const p90 = samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.9))];
    const before = this.current;
    if (p90 > this.opts.latencyTargetMs) {
      this.current = Math.max(this.opts.minLimit, this.current * Math.max(0.5, this.opts.latencyTargetMs / p90));
    } else if (reachedLimit) {
      this.current = Math.min(this.opts.maxLimit, this.current + Math.max(1, Math.sqrt(this.current)));
    }
    if (Math.floor(before) !== Math.floor(this.current))
      this.lastChange = { at: now, from: Math.floor(before), to: Math.floor(this.current), p90Ms: p90, samples: samples.length };
  }
}

/** Why a request was not admitted. */
export type Refusal = "concurrency" | "bytes";

/** A slot held by an admitted request; give it back exactly once. */
export interface AdmissionTicket {
  /** Replaces the reserved bytes with the body's real size once read (chunked bodies reserve the maximum). */
  resize(bytes: number): boolean;
  /** Marks the start of service (the body is in): the limiter's latency sample runs from here. */
  bodyRead(now?: number): void;
  /** `measured`: whether the time since bodyRead says something about capacity. */
  release(measured: boolean, now?: number): void;
}

/** The gateway's admission: the adaptive request limit and the byte budget together. */
export class Admission {
  readonly limiter: AdaptiveConcurrencyLimit;
  private bytes = 0;

  constructor(
    limit: AdaptiveLimitOptions,
    /** Bytes of bodies admitted and not yet answered, at most. */
    readonly maxBytes: number,
    now?: number,
  ) {
    this.limiter = new AdaptiveConcurrencyLimit(limit, now);
  }

  get inflightBytes(): number {
    return this.bytes;
  }

  /** A ticket, or why not. `bytes`: Content-Length, or the largest body allowed when the client did not say. */
  admit(bytes: number): AdmissionTicket | Refusal {
    // An empty gateway always takes one request (bounded by MAX_BODY_BYTES), however large.
    if (this.bytes > 0 && this.bytes + bytes > this.maxBytes) return "bytes";
    if (!this.limiter.tryAcquire()) return "concurrency";
    this.bytes += bytes;
    let held = bytes;
    let serviceStart: number | undefined;
    let released = false;
    return {
      resize: (actual) => {
        if (released) return false;
        if (actual > held && this.bytes - held > 0 && this.bytes - held + actual > this.maxBytes) return false;
        this.bytes += actual - held;
        held = actual;
        return true;
      },
      bodyRead: (now = performance.now()) => {
        serviceStart = now;
      },
      release: (measured, now = performance.now()) => {
        if (released) return;
        released = true;
        this.bytes -= held;
        this.limiter.release(measured && serviceStart !== undefined ? now - serviceStart : undefined, now);
      },
    };
  }
}
