/**
 * The shared load profile: rates, the diurnal curve, batching and a realistic
 * event generator. No Node APIs, and one import (the dependency-free event
 * catalog), so the same file runs in the local Node harness and in k6 scripts.
 * The category mix and the event names come from the catalog.
 */
import { TOPIC_CATALOG } from "../../domain/event-catalog";

export const SECONDS_PER_DAY = 86_400;
export const DEFAULT_EVENTS_PER_DAY = 300_000_000;

/** Event categories and their share of traffic, in catalog order. */
export const CATEGORY_MIX: readonly { readonly type: string; readonly share: number }[] = TOPIC_CATALOG.flatMap((t) =>
  t.category !== undefined && t.share > 0 ? [{ type: t.category, share: t.share }] : [],
);

/** Average rate of a daily volume: 300M/day = 3,472.2 events/s. */
export function averageEventsPerSecond(eventsPerDay: number): number {
  return eventsPerDay / SECONDS_PER_DAY;
}

/** HTTP requests per second that carry `eventsPerSecond` in batches of `batchSize`. */
export function requestsPerSecond(eventsPerSecond: number, batchSize: number): number {
  if (!(batchSize >= 1)) throw new Error(`batchSize must be >= 1, got ${batchSize}`);
  return eventsPerSecond / batchSize;
}

/** Mean of ((1 - cos 2πφ) / 2)^k over a period: C(2k, k) / 4^k. */
function meanOfPower(k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (k + i)) / i; // C(2k, k)
  return c / 4 ** k;
}

/** Lowest trough the curve aims for, as a fraction of the average. */
const MIN_TROUGH = 0.2;
const MAX_POWER = 12;

export interface DiurnalCurve {
  readonly peakFactor: number;
  /** Exponent that narrows the peak so the trough stays positive. */
  readonly power: number;
  /** Rate at the trough, as a fraction of the average. */
  readonly trough: number;
}

/**
 * A day-shaped curve with mean exactly 1: trough at phase 0, peak of
 * `peakFactor` at phase 0.5. shape(φ) = trough + (peak - trough) * w(φ)^k with
 * w(φ) = (1 - cos 2πφ) / 2; k is the smallest power that keeps the trough at
 * or above 20% of the average.
 */
export function diurnalCurve(peakFactor: number): DiurnalCurve {
  if (!(peakFactor >= 1 && peakFactor <= 6)) throw new Error(`peakFactor must be from 1 to 6, got ${peakFactor}`);
  if (peakFactor === 1) return { peakFactor, power: 1, trough: 1 };
  for (let k = 1; k <= MAX_POWER; k++) {
    const e = meanOfPower(k);
    const trough = (1 - peakFactor * e) / (1 - e);
    if (trough >= MIN_TROUGH || k === MAX_POWER) return { peakFactor, power: k, trough: Math.max(0, trough) };
  }
  throw new Error("unreachable");
}

/** Shape value at `phase` in [0, 1): the rate as a multiple of the daily average. */
export function diurnalShape(phase: number, curve: DiurnalCurve): number {
  const w = (1 - Math.cos(2 * Math.PI * phase)) / 2;
  return curve.trough + (curve.peakFactor - curve.trough) * w ** curve.power;
}

export interface RunProfile {
  readonly eventsPerDay: number;
  readonly peakFactor: number;
  /** The whole day is compressed into this many seconds. */
  readonly durationSeconds: number;
  readonly batchSize: number;
}

/**
 * Events per second at second `t` of a run that compresses one day's curve
 * into its duration. The rate is the real one (300M/day runs at 3,472/s on
 * average, 10.4K/s at a 3x peak); only the day is shortened.
 */
export function eventRateAt(t: number, run: RunProfile, curve = diurnalCurve(run.peakFactor)): number {
  const phase = (((t / run.durationSeconds) % 1) + 1) % 1;
  return averageEventsPerSecond(run.eventsPerDay) * diurnalShape(phase, curve);
}

/** Events the run offers in total (midpoint sum over 100 ms steps). */
export function plannedEvents(run: RunProfile): number {
  const curve = diurnalCurve(run.peakFactor);
  const step = 0.1;
  let total = 0;
  for (let t = step / 2; t < run.durationSeconds; t += step) total += eventRateAt(t, run, curve) * step;
  return total;
}

/**
 * k6 `ramping-arrival-rate` stages (requests/s) approximating the run's curve
 * with `steps` linear segments.
 */
export function arrivalRateStages(run: RunProfile, steps = 24): { duration: string; target: number }[] {
  const curve = diurnalCurve(run.peakFactor);
  const seg = run.durationSeconds / steps;
  const out: { duration: string; target: number }[] = [];
  for (let i = 1; i <= steps; i++) {
    out.push({
      duration: `${Math.round(seg * 1000)}ms`,
      target: Math.round(requestsPerSecond(eventRateAt(i * seg, run, curve), run.batchSize)),
    });
  }
  return out;
}

/** mulberry32: a small, fast, seedable PRNG (deterministic event streams). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratorOptions {
  readonly seed: number;
  /** Prefix of event ids (8-64 chars of A-Z a-z 0-9 _ - in total); make it unique per run. */
  readonly runId: string;
  /** Target average serialized size of one event, bytes. */
  readonly bytesPerEvent: number;
  /** Distinct users. */
  readonly users: number;
  /** Zipf exponent of user activity: > 1 makes a few users very hot (hot keys, hot partitions). */
  readonly zipfExponent: number;
}

export const DEFAULT_GENERATOR: Omit<GeneratorOptions, "runId" | "seed"> = { bytesPerEvent: 1024, users: 1_000_000, zipfExponent: 1.1 };

export interface LoadEvent {
  eventId: string;
  type: string;
  userId: string;
  timestamp: number;
  name: string;
  payload: Record<string, unknown>;
}

const NAMES: Record<string, readonly string[]> = Object.fromEntries(
  TOPIC_CATALOG.flatMap((t) => (t.category !== undefined ? [[t.category, t.eventNames?.length ? t.eventNames : [t.category]]] : [])),
);

/**
 * Realistic events: category mix from the catalog, users drawn from a Zipf
 * distribution (hot users, skewed keys), payload sizes spread from 0.5x to
 * 1.5x of the target. Every event passes the gateway's schema.
 */
export class EventGenerator {
  private readonly rand: () => number;
  private counter = 0;
  private readonly cumulative: number[];
  private readonly zipfTop: number;

  constructor(private readonly opts: GeneratorOptions) {
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(opts.runId))
      throw new Error(`runId must be 1-40 characters of A-Z a-z 0-9 _ -, got ${JSON.stringify(opts.runId)}`);
    if (!(opts.zipfExponent > 0 && opts.zipfExponent !== 1))
      throw new Error(`zipfExponent must be > 0 and not 1, got ${opts.zipfExponent}`);
    this.rand = seededRandom(opts.seed);
    let sum = 0;
    this.cumulative = CATEGORY_MIX.map((c) => (sum += c.share));
    this.zipfTop = (opts.users + 1) ** (1 - opts.zipfExponent) - 1;
  }

  /** User rank 1..users by inverse CDF of a continuous Zipf (power law) distribution. */
  userRank(): number {
    const s = this.opts.zipfExponent;
    const x = (1 + this.rand() * this.zipfTop) ** (1 / (1 - s));
    return Math.min(this.opts.users, Math.max(1, Math.floor(x)));
  }

  next(now: number): LoadEvent {
    const u = this.rand() * this.cumulative[this.cumulative.length - 1];
    const type = CATEGORY_MIX[this.cumulative.findIndex((c) => u < c)]?.type ?? CATEGORY_MIX[0].type;
    const names = NAMES[type];
    const r = this.rand;
    const userId = `user-${this.userRank()}`;
    const payload: Record<string, unknown> =
      type === "user_action"
        ? { page: `/p/${Math.floor(r() * 5000)}`, sessionId: `s-${Math.floor(r() * 1e9)}`, device: r() < 0.7 ? "mobile" : "desktop" }
        : type === "transaction"
          ? { orderId: `o-${Math.floor(r() * 1e10)}`, amount: Math.round(r() * 50000) / 100, currency: "USD" }
          : type === "inventory"
            ? { sku: `sku-${Math.floor(r() * 200000)}`, delta: Math.floor(r() * 21) - 10, warehouse: `wh-${Math.floor(r() * 12)}` }
            : { service: `svc-${Math.floor(r() * 40)}`, level: r() < 0.9 ? "info" : "error", durationMs: Math.floor(r() * 2000) };
    const event: LoadEvent = {
      eventId: `${this.opts.runId}-${(this.counter++).toString(36).padStart(8, "0")}`,
      type,
      userId,
      timestamp: now,
      name: names[Math.floor(r() * names.length)],
      payload,
    };
    const target = Math.round(this.opts.bytesPerEvent * (0.5 + r()));
    const base = JSON.stringify(event).length + 10; // + the "pad":"" field
    if (target > base) payload.pad = "x".repeat(target - base);
    return event;
  }

  batch(size: number, now: number): LoadEvent[] {
    const out: LoadEvent[] = [];
    for (let i = 0; i < size; i++) out.push(this.next(now));
    return out;
  }
}
